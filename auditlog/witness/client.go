package witness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/takedown-project/takedown/auditlog"
)

// maxResponse bounds a witness's answer: a few signature lines, or an error message.
const maxResponse = 16 << 10

// DefaultTimeout bounds a request to the witness when the caller's context has no deadline
// and no *http.Client was given.
const DefaultTimeout = 30 * time.Second

// Client asks a witness to cosign the log's checkpoints. It remembers the size of the
// checkpoint the witness last cosigned, which each request must state; Cosign calls are
// serialised so that they state it in order.
type Client struct {
	endpoint string
	verifier note.Verifier
	hc       *http.Client

	turn chan struct{} // held by the Cosign call in progress

	mu   sync.Mutex
	last int64
}

// NewClient returns a client of the witness at url, its submission prefix (the URL that
// add-checkpoint is under, such as https://controller-witness.example/), whose public key is
// vkey: a cosignature/v1 verifier key, or the plain Ed25519 key it derives from. hc may be
// nil, for an http.Client with DefaultTimeout.
func NewClient(witnessURL, vkey string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(witnessURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("witness: %q is not an http or https URL", witnessURL)
	}
	v, err := fnote.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		return nil, fmt.Errorf("witness: key %q: %w", vkey, err)
	}
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{endpoint: strings.TrimSuffix(witnessURL, "/") + "/add-checkpoint", verifier: v, hc: hc, turn: make(chan struct{}, 1)}, nil
}

// Verifier returns the witness's cosignature verifier, to check cosigned checkpoints with
// auditlog.Open.
func (c *Client) Verifier() note.Verifier { return c.verifier }

// Last returns the size of the checkpoint the client believes the witness last cosigned.
func (c *Client) Last() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// SetLast sets the size the witness last cosigned, as the log recorded it, so that the next
// request need not learn it from a conflict. A wrong size costs one round trip, not more.
func (c *Client) SetLast(size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = size
}

// Cosign asks the witness to cosign the signed checkpoint of the given size. prove returns
// the RFC 6962 consistency proof from an older size of the log's tree to this one. It returns
// the checkpoint with the witness's cosignature added, a signed note that auditlog.Open
// accepts with the log's key and the witness's.
//
// If the witness last cosigned another size than the client believed, Cosign retries once
// from that size. When the witness's answer means the log contradicts itself (a proof from
// the tree it cosigned does not verify, it cosigned another tree of the same size, or it
// cosigned a larger tree than this checkpoint's) the error wraps auditlog.ErrInconsistent.
func (c *Client) Cosign(ctx context.Context, checkpoint []byte, size int64, prove func(oldSize int64) ([]tlog.Hash, error)) ([]byte, error) {
	n, err := splitNote(checkpoint)
	if err != nil {
		return nil, err
	}
	cp, err := auditlog.ParseCheckpointText(n.Text)
	if err != nil {
		return nil, fmt.Errorf("witness: cosign: %w", err)
	}
	if cp.Size != size {
		return nil, fmt.Errorf("witness: cosign: the checkpoint's size is %d, not %d", cp.Size, size)
	}
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
	case <-ctx.Done():
		return nil, fmt.Errorf("witness %s: %w", c.verifier.Name(), ctx.Err())
	}
	for retried := false; ; retried = true {
		old := c.Last()
		if old > size {
			return nil, fmt.Errorf("witness %s: %w: it cosigned a tree of size %d, larger than this checkpoint's %d: the log was rolled back or forked",
				c.verifier.Name(), auditlog.ErrInconsistent, old, size)
		}
		var proof []tlog.Hash
		if old > 0 && old < size {
			if proof, err = prove(old); err != nil {
				return nil, fmt.Errorf("witness %s: consistency proof from size %d to %d: %w", c.verifier.Name(), old, size, err)
			}
		}
		status, contentType, body, err := c.post(ctx, &auditlog.AddCheckpoint{OldSize: old, Proof: proof, Checkpoint: checkpoint})
		if err != nil {
			return nil, err
		}
		switch {
		case status == http.StatusOK:
			cosigned, err := c.attach(n, body)
			if err != nil {
				return nil, err
			}
			c.SetLast(size)
			return cosigned, nil
		case status == http.StatusConflict && contentType == auditlog.SizeContentType:
			latest, err := auditlog.ParseSize(body)
			if err != nil {
				return nil, fmt.Errorf("witness %s: answer to add-checkpoint: %w", c.verifier.Name(), err)
			}
			if latest > size {
				return nil, fmt.Errorf("witness %s: %w: it cosigned a tree of size %d, larger than this checkpoint's %d: the log was rolled back or forked",
					c.verifier.Name(), auditlog.ErrInconsistent, latest, size)
			}
			if retried || latest == old {
				return nil, fmt.Errorf("witness %s: it answered that it last cosigned size %d, after a request from size %d", c.verifier.Name(), latest, old)
			}
			c.SetLast(latest)
		case status == http.StatusConflict:
			return nil, fmt.Errorf("witness %s: %w: it cosigned another tree of size %d than this checkpoint's: the log was forked",
				c.verifier.Name(), auditlog.ErrInconsistent, size)
		case status == http.StatusUnprocessableEntity:
			return nil, fmt.Errorf("witness %s: %w: the consistency proof from the tree of size %d it cosigned to this tree of size %d does not verify: the log was rewritten, or its prover is wrong",
				c.verifier.Name(), auditlog.ErrInconsistent, old, size)
		default:
			return nil, fmt.Errorf("witness %s: add-checkpoint from size %d to %d: %s: %q",
				c.verifier.Name(), old, size, http.StatusText(status), truncate(strings.TrimSpace(string(body))))
		}
	}
}

// post sends an add-checkpoint request and returns the answer's status, media type and
// body, read up to maxResponse.
func (c *Client) post(ctx context.Context, req *auditlog.AddCheckpoint) (status int, contentType string, body []byte, err error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(req.Marshal()))
	if err != nil {
		return 0, "", nil, fmt.Errorf("witness %s: %w", c.verifier.Name(), err)
	}
	r.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := c.hc.Do(r)
	if err != nil {
		return 0, "", nil, fmt.Errorf("witness %s: add-checkpoint: %w", c.verifier.Name(), err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return 0, "", nil, fmt.Errorf("witness %s: read the answer to add-checkpoint: %w", c.verifier.Name(), err)
	}
	if len(body) > maxResponse {
		return 0, "", nil, fmt.Errorf("witness %s: the answer to add-checkpoint is longer than %d bytes", c.verifier.Name(), maxResponse)
	}
	contentType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return resp.StatusCode, contentType, body, nil
}

// attach verifies the witness's answer, signature lines, against the checkpoint and returns
// the checkpoint with the witness's cosignature in place of any it carried. Lines by other
// keys are ignored, as the protocol requires.
func (c *Client) attach(n *note.Note, answer []byte) ([]byte, error) {
	msg := append([]byte(n.Text+"\n"), answer...)
	opened, err := note.Open(msg, note.VerifierList(c.verifier))
	if err != nil {
		return nil, fmt.Errorf("witness %s: its answer holds no valid cosignature of the checkpoint: %v", c.verifier.Name(), err)
	}
	for _, sig := range opened.Sigs {
		if ts, err := fnote.CoSigV1Timestamp(sig); err != nil || ts.Unix() == 0 {
			return nil, fmt.Errorf("witness %s: its cosignature has no timestamp", c.verifier.Name())
		}
	}
	var others []note.Signature
	for _, sig := range n.UnverifiedSigs {
		if sig.Name != c.verifier.Name() || sig.Hash != c.verifier.KeyHash() {
			others = append(others, sig)
		}
	}
	// With no signer, note.Sign only writes the signatures out: the log's first, then the
	// witness's.
	cosigned, err := note.Sign(&note.Note{Text: n.Text, Sigs: others, UnverifiedSigs: opened.Sigs})
	if err != nil {
		return nil, fmt.Errorf("witness %s: add the cosignature: %w", c.verifier.Name(), err)
	}
	return cosigned, nil
}
