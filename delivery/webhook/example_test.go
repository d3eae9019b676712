package webhook_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/takedown-project/takedown/delivery/webhook"
)

// ExampleVerify is an operator's receiving end, as docs/webhooks.md shows it (a test checks
// that the two agree), then takedown's side sending to it.
func ExampleVerify() {
	// docs:begin
	// The secrets takedown gave you: one, or two during a rotation.
	var secrets []webhook.Secret
	for _, s := range []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		secret, err := webhook.ParseSecret(s)
		if err != nil {
			log.Fatal(err)
		}
		secrets = append(secrets, secret)
	}

	receive := func(w http.ResponseWriter, r *http.Request) {
		// Verify the body exactly as received, before any JSON parsing.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := webhook.Verify(secrets, r.Header, body, time.Now(), webhook.DefaultTolerance); err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// Store the body under r.Header.Get("webhook-id") durably, once per id (a retry
		// carries the same id), answer at once, and process it afterwards.
		w.WriteHeader(http.StatusNoContent)
	}
	// docs:end

	srv := httptest.NewServer(http.HandlerFunc(receive))
	defer srv.Close()
	body := []byte(`{"type":"measure.sent"}`)
	r := webhook.Post(context.Background(), nil, srv.URL, secrets, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", time.Now(), body)
	fmt.Println(r.Reason, r.Accepted)

	// A message signed with another secret is refused.
	forged := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(string(body)))
	other, _ := webhook.ParseSecret("whsec_" + strings.Repeat("AAAA", 8))
	forged.Header.Set("webhook-id", "msg_forged")
	forged.Header.Set("webhook-timestamp", fmt.Sprint(time.Now().Unix()))
	forged.Header.Set("webhook-signature", webhook.Sign([]webhook.Secret{other}, "msg_forged", time.Now(), body))
	rec := httptest.NewRecorder()
	receive(rec, forged)
	fmt.Println(rec.Code)
	// Output:
	// HTTP 204 true
	// 401
}
