package verifier

import (
	"fmt"

	"golang.org/x/mod/sumdb/note"

	fnote "github.com/transparency-dev/formats/note"
)

// ParseLogKeys parses the log's verifier keys, Ed25519 keys in the signed-note format
// ("origin+hash+data", as auditlog.GenerateKey makes them): one, or two while the log
// rotates its key. A log has one origin, so the keys must all be named by it.
func ParseLogKeys(vkeys []string) ([]note.Verifier, error) {
	if len(vkeys) == 0 {
		return nil, fmt.Errorf("verifier: no log key: the log's public key (origin+hash+data) is needed")
	}
	var keys []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("verifier: log key %q is not a signed-note verifier key (origin+hash+data): %w", k, err)
		}
		if len(keys) > 0 && v.Name() != keys[0].Name() {
			return nil, fmt.Errorf("verifier: the log keys name two origins, %q and %q: a log has one", keys[0].Name(), v.Name())
		}
		keys = append(keys, v)
	}
	return keys, nil
}

// ParseWitnessKeys parses the keys of the witnesses whose cosignature a checkpoint must
// carry: C2SP tlog-cosignature (cosignature/v1) verifier keys, or the plain Ed25519 keys
// they derive from. None is a valid answer: no witness is required.
func ParseWitnessKeys(vkeys []string) ([]note.Verifier, error) {
	var keys []note.Verifier
	for _, k := range vkeys {
		v, err := fnote.NewVerifierForCosignatureV1(k)
		if err != nil {
			return nil, fmt.Errorf("verifier: witness key %q is not a cosignature/v1 verifier key (name+hash+data): %w", k, err)
		}
		keys = append(keys, v)
	}
	return keys, nil
}

// keyID names a key as signed notes do: its name and key hash, "name+1a2b3c4d".
func keyID(v note.Verifier) string { return fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()) }

// Signers returns the ids ("name+1a2b3c4d", as signed notes name a key) of the keys whose
// signature on the note verifies, in the order of keys: which of the log's keys signed a
// checkpoint while a key is rotated.
func Signers(msg []byte, keys []note.Verifier) []string {
	var ids []string
	for _, k := range keys {
		if _, err := note.Open(msg, note.VerifierList(k)); err == nil {
			ids = append(ids, keyID(k))
		}
	}
	return ids
}
