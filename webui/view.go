package webui

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/takedown-project/takedown"
)

// OffenceTitle names an offence of the profile in the view's language.
func (v *view) OffenceTitle(code string) string {
	if o, ok := v.console.svc.Profile().Offence(code); ok {
		return o.Title[v.Lang]
	}
	return code
}

// ElementLabel names an element of an offence's checklist.
func (v *view) ElementLabel(offence, id string) string {
	if o, ok := v.console.svc.Profile().Offence(offence); ok {
		for _, e := range o.Elements {
			if e.ID == id {
				return e.Label[v.Lang]
			}
		}
	}
	return id
}

// EventTitle names an event kind: the catalogue's text, else the kind's words.
func (v *view) EventTitle(kind takedown.EventKind) string {
	if t, ok := catalogue[v.Lang]["event."+string(kind)]; ok {
		return t
	}
	return strings.NewReplacer(".", " ", "_", " ").Replace(string(kind))
}

// reasonsForm is a form that posts reasons to an action.
type reasonsForm struct {
	View                       *view
	Name, Action, Stamp, Label string
}

// With makes the data of the reasonsform template.
func (v *view) With(name, action, stamp, label string) reasonsForm {
	return reasonsForm{View: v, Name: name, Action: action, Stamp: stamp, Label: label}
}

// done shows the message of the action a form did, named by ?done= after its redirect.
func (v *view) done(r *http.Request) {
	if t, ok := catalogue[v.Lang]["done."+r.URL.Query().Get("done")]; ok {
		v.Flash = t
	}
}

// Verification reads the result a log.verified event records.
func (v *view) Verification(e *takedown.Event) *takedown.Verification {
	if e == nil {
		return nil
	}
	var out takedown.Verification
	if json.Unmarshal(e.Data, &out) != nil {
		return nil
	}
	return &out
}
