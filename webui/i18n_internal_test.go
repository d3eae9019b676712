package webui

import (
	"io/fs"
	"os"
	"regexp"
	"testing"
)

// TestCatalogue: both languages have the same texts, and every text the templates and the
// Go code ask for exists.
func TestCatalogue(t *testing.T) {
	for key := range catalogue["fr"] {
		if _, ok := catalogue["en"][key]; !ok {
			t.Errorf("%q has no English text", key)
		}
	}
	for key := range catalogue["en"] {
		if _, ok := catalogue["fr"][key]; !ok {
			t.Errorf("%q has no French text", key)
		}
	}
	used := regexp.MustCompile(`\.T "([a-z0-9_.-]*[a-z0-9])"|T\("([a-z0-9_.-]*[a-z0-9])"`)
	check := func(name string, b []byte) {
		for _, m := range used.FindAllSubmatch(b, -1) {
			key := string(m[1]) + string(m[2])
			if _, ok := catalogue["fr"][key]; !ok {
				t.Errorf("%s asks for %q, which the catalogue lacks", name, key)
			}
		}
	}
	fs.WalkDir(templateFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := templateFiles.ReadFile(path)
			check(path, b)
		}
		return nil
	})
	gos, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, name := range gos {
		b, _ := os.ReadFile(name)
		check(name, b)
	}
	for _, action := range []string{"accept", "dismiss", "qualify", "approve", "return", "measure", "measure-approve", "measure-refuse", "answer", "recommendation"} {
		if _, ok := catalogue["fr"]["done."+action]; !ok {
			t.Errorf("no message for done.%s", action)
		}
	}
}

// TestFrenchMessages: the rules' commonest messages read in French on French pages, and a
// message without a rendering stays as the rule wrote it.
func TestFrenchMessages(t *testing.T) {
	fr, en := &view{Lang: "fr"}, &view{Lang: "en"}
	for msg, want := range map[string]string{
		"is required: say which kind of content this is": "ce champ est obligatoire",
		"is longer than 500 bytes":                       "ce texte dépasse 500 octets",
		"has more than 3 files":                          "trop d'éléments : 3 au plus",
		"the deadline of delivery 1 passed":              "the deadline of delivery 1 passed",
	} {
		if got := fr.message(msg); got != want {
			t.Errorf("%q in French: %q, want %q", msg, got, want)
		}
		if got := en.message(msg); got != msg {
			t.Errorf("%q in English: %q", msg, got)
		}
	}
}
