// Package shared finds, for tests, the reference data kept beside the project and never
// copied into it (../shared/testdata): $TAKEDOWN_SHARED/testdata, else a shared/testdata
// beside an ancestor of the working directory (a clone anywhere under the workplace), else
// /work/shared/testdata.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// TestData returns the folder testdata/dir of the shared data, holding the file want; it
// skips the test when none is found.
func TestData(t testing.TB, dir, want string) string {
	t.Helper()
	var candidates []string
	if s := os.Getenv("TAKEDOWN_SHARED"); s != "" {
		candidates = append(candidates, filepath.Join(s, "testdata", dir))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, filepath.Join(d, "shared", "testdata", dir))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	candidates = append(candidates, filepath.Join("/work/shared/testdata", dir))
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, want)); err == nil {
			return c
		}
	}
	t.Skipf("the shared reference data testdata/%s is not here: set TAKEDOWN_SHARED to the folder holding testdata/", dir)
	return ""
}
