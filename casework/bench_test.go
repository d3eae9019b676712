package casework_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/vault"
)

// BenchmarkSubmitReport measures report intake with grouping on a real SQLite file, without
// HTTP, from 16 goroutines per core (many clients at once, as on a national platform): one
// report in ten repeats an earlier URL and joins its case.
func BenchmarkSubmitReport(b *testing.B) {
	dir := b.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "takedown.db"), takedown.SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		b.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if i%10 == 0 {
				i -= 5
			}
			_, err := svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{fmt.Sprintf("https://videos.host.test/bench/%d", i)},
				Offence: "csam", Description: "Synthetic benchmark report.", GoodFaith: true})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
