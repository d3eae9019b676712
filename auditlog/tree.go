package auditlog

import "golang.org/x/mod/sumdb/tlog"

// HashStore is what reads a stored tree: takedown.Tx, or a test's tree in memory.
type HashStore interface {
	// LogHashes returns the stored hashes at the given tlog stored-hash indexes.
	LogHashes(indexes []int64) ([][32]byte, error)
}

// HashReader reads a stored tree's hashes for tlog.
func HashReader(s HashStore) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hs, err := s.LogHashes(indexes)
		if err != nil {
			return nil, err
		}
		out := make([]tlog.Hash, len(hs))
		for i, h := range hs {
			out[i] = h
		}
		return out, nil
	})
}
