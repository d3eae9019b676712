package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/delivery/webhook"
)

// webhookCommands help an operator build its receiver: a reference receiver that verifies
// takedown's signatures and shows what arrives.
func webhookCommands() []command {
	return []command{
		{"webhook receive", "run a webhook endpoint that verifies takedown's signatures and prints each delivery once (for an operator's tests)", runWebhookReceive},
	}
}

func runWebhookReceive(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "webhook receive", "--listen ADDR --secret whsec_… [--out DIR]")
	listen := fs.String("listen", e.envOr("TAKEDOWN_WEBHOOK_LISTEN", "127.0.0.1:8090"), "address to listen on [TAKEDOWN_WEBHOOK_LISTEN]")
	var secrets listFlag
	fs.Var(&secrets, "secret", "the operator's webhook secret, as takedown operator webhook-secret printed it (repeat during a rotation) [TAKEDOWN_WEBHOOK_SECRET]")
	out := fs.String("out", "", "a directory to keep each delivery's payload in, as WEBHOOK-ID.json")
	var lc logConfig
	lc.register(fs, e)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if len(secrets) == 0 && e.getenv("TAKEDOWN_WEBHOOK_SECRET") != "" {
		secrets = listFlag{e.getenv("TAKEDOWN_WEBHOOK_SECRET")}
	}
	if len(secrets) == 0 {
		return takedown.Invalid("secret", "is required: the operator's webhook secret (--secret or TAKEDOWN_WEBHOOK_SECRET)")
	}
	var keys []webhook.Secret
	for _, s := range secrets {
		k, err := webhook.ParseSecret(s)
		if err != nil {
			return takedown.Invalid("secret", "%v", err)
		}
		keys = append(keys, k)
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o700); err != nil {
			return takedown.Invalid("out", "%v", err)
		}
	}
	r := &receiver{secrets: keys, out: *out, stdout: e.stdout, stderr: e.stderr, seen: map[string]bool{}}
	return listenAndServe(ctx, *listen, r, lc.logger(e), func(url string) {
		fmt.Fprintf(e.stderr, "receiving takedown's webhooks at %s\n", url)
	})
}

// receiver verifies each webhook, answers 204 once the payload is kept, and prints each
// message id once: a retry of a message already received is answered without printing.
type receiver struct {
	secrets        []webhook.Secret
	out            string
	stdout, stderr io.Writer
	mu             sync.Mutex
	seen           map[string]bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := webhook.Verify(r.secrets, req.Header, body, time.Now(), webhook.DefaultTolerance); err != nil {
		r.mu.Lock()
		fmt.Fprintf(r.stderr, "refused a webhook: %v\n", err)
		r.mu.Unlock()
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	id := req.Header.Get(webhook.HeaderID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[id] {
		w.WriteHeader(http.StatusNoContent) // a retry: already received
		return
	}
	if r.out != "" {
		name := filepath.Join(r.out, strings.Map(func(c rune) rune {
			if c == '/' || c == '\\' || c == '.' {
				return '_'
			}
			return c
		}, id)+".json")
		if err := atomicfile.Create(name, func(w io.Writer) error { _, err := w.Write(body); return err }); err != nil {
			http.Error(w, "cannot keep the payload", http.StatusServiceUnavailable)
			return
		}
	}
	r.seen[id] = true
	fmt.Fprintln(r.stdout, describe(id, body))
	w.WriteHeader(http.StatusNoContent)
}

// describe is one line about a payload: what it is and what it is about.
func describe(id string, body []byte) string {
	var p struct {
		Type string `json:"type"`
		Data struct {
			Delivery takedown.Delivery `json:"delivery"`
			Measure  *takedown.Measure `json:"measure"`
			Form     struct {
				Reference string `json:"reference"`
			} `json:"form"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Sprintf("%s: not a takedown payload: %v", id, err)
	}
	d := p.Data.Delivery
	line := fmt.Sprintf("%s %s delivery %d %s %s", id, p.Type, d.ID, d.Kind, p.Data.Form.Reference)
	if m := p.Data.Measure; m != nil {
		line += " " + strings.Join(m.Targets, " ")
	}
	return line
}
