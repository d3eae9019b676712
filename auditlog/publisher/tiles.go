package publisher

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// Prefix is where the log is served: <server>/log/checkpoint, <server>/log/tile/….
const Prefix = "/log/"

// Tiles serves the published log as C2SP tlog-tiles: the latest checkpoint, hash tiles and
// entry bundles, for anyone. Entries are salted digests, so the log reveals nothing of the
// events; it shows only how many there are. Tiles are served up to the latest published
// checkpoint's size, never beyond: what a client reads is always covered by a signature.
func Tiles(store takedown.Store, log *slog.Logger) http.Handler {
	return &tiles{store: store, log: log}
}

type tiles struct {
	store takedown.Store
	log   *slog.Logger
}

func (h *tiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the log is read with GET", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	if path == "checkpoint" {
		h.checkpoint(w, r)
		return
	}
	t, err := auditlog.ParseTilePath(path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var data []byte
	err = h.store.View(r.Context(), func(tx takedown.Tx) error {
		cp, err := tx.LatestCheckpoint()
		if err != nil {
			return err
		}
		if have := auditlog.TileWidthAt(t.L, t.N, cp.Size); t.W > have {
			return takedown.Errorf(takedown.ENOTFOUND, "%s is beyond the published checkpoint of size %d (that tile has %d hashes)", auditlog.TilePath(t), cp.Size, have)
		}
		if t.L == auditlog.EntriesLevel {
			start := t.N * auditlog.TileWidth
			entries, err := tx.LogEntries(start, start+int64(t.W))
			data = auditlog.MarshalBundle(entries)
			return err
		}
		data, err = tlog.ReadTileData(t, auditlog.HashReader(tx))
		return err
	})
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if t.W == auditlog.TileWidth {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// A partial tile never changes either, but it may be dropped once its full tile
		// exists, as C2SP allows.
		w.Header().Set("Cache-Control", "public, max-age=3600")
	}
	w.Write(data)
}

func (h *tiles) checkpoint(w http.ResponseWriter, r *http.Request) {
	var cp *takedown.Checkpoint
	err := h.store.View(r.Context(), func(tx takedown.Tx) (err error) {
		cp, err = tx.LatestCheckpoint()
		return err
	})
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache") // it changes as the log grows
	fmt.Fprint(w, cp.Note)
}

// error answers with the error's status and message, in plain text like the rest of the log;
// an internal error is logged, and shown as such only.
func (h *tiles) error(w http.ResponseWriter, r *http.Request, err error) {
	code := takedown.ErrorCode(err)
	if code == takedown.EINTERNAL {
		h.log.Error("audit log: serving failed", "path", r.URL.Path, "err", err)
	}
	http.Error(w, takedown.ErrorMessage(err), takedown.HTTPStatus(code))
}
