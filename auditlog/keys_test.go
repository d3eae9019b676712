package auditlog_test

import (
	"testing"

	tnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown/auditlog"
)

// The keys of the tests: synthetic, made once with note.GenerateKey and fixed here, so that a
// failing fuzz input (a signed note) still means the same thing when it is run again.
const (
	testOrigin = "takedown.example/log"

	logSKey = "PRIVATE+KEY+takedown.example/log+1a8576d6+ARdt9pKXz9P11l4tYSiE+WdmNUrJLQbEG8AyLKBXgsrS"
	logVKey = "takedown.example/log+1a8576d6+AdMXON4lM1MlJz/aTSGGbpvXcqYYOYTsylJhu0WaQvIN"
	// The log's next key, for a key rotation.
	nextSKey = "PRIVATE+KEY+takedown.example/log+570ec065+Abc5xcXJGxpYI9tm4pzU6XlgVVNjU2BwoVBMsxmrebHb"
	nextVKey = "takedown.example/log+570ec065+AbqeCk80HVPYloRPaZ1h9UFfaPxRsyj9hLlS5bPVOcYJ"

	witnessSKey  = "PRIVATE+KEY+witness.example+7660dc08+AdgjwV8FT/WfCKQbzLnqGqaheOgjHtElb6LoDm35tOm/"
	witnessVKey  = "witness.example+7660dc08+ARldVtZQiRPI74DUC20yeT7k6Vb+ZGYJn2a/gzLYEaC3"
	witness2SKey = "PRIVATE+KEY+witness2.example+cf84eb8e+AUsznMzwivJGIG3zzrjeBa+gGyWje2bbLn+Y9tSfriA0"
	witness2VKey = "witness2.example+cf84eb8e+Abrlm3ird2pSUSzy4Nec/ClhOeVpLUQXpy46Sq2/37Y1"

	// A key no test trusts.
	strangerSKey = "PRIVATE+KEY+stranger.example+7e4f879f+ATIrwdWwcJNYYRuxucOu9zeHsgS3cMK/FrZsN4vyLJNh"
)

func signer(tb testing.TB, skey string) note.Signer {
	tb.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func verifier(tb testing.TB, vkey string) note.Verifier {
	tb.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// newCosigner returns a witness's C2SP tlog-cosignature signer (cosignature/v1) for an
// Ed25519 signed-note key, as package witness makes it.
func newCosigner(tb testing.TB, skey string) note.Signer {
	tb.Helper()
	s, err := tnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// newCoverifier returns the verifier of a witness's cosignatures, from its Ed25519 key.
func newCoverifier(tb testing.TB, vkey string) note.Verifier {
	tb.Helper()
	cvkey, err := tnote.VKeyToCosignatureV1(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := tnote.NewVerifierForCosignatureV1(cvkey)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// cosign adds the witnesses' cosignatures to a note signed by the log, as a witness does:
// it opens the note with the log's key and signs its text again, keeping the signatures.
func cosign(tb testing.TB, msg []byte, witnesses ...note.Signer) []byte {
	tb.Helper()
	n, err := note.Open(msg, note.VerifierList(verifier(tb, logVKey), verifier(tb, nextVKey)))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := note.Sign(n, witnesses...)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// signCheckpoint signs c with the log's key.
func signCheckpoint(tb testing.TB, c auditlog.Checkpoint) []byte {
	tb.Helper()
	msg, err := auditlog.Sign(c, signer(tb, logSKey))
	if err != nil {
		tb.Fatal(err)
	}
	return msg
}
