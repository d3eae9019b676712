package takedown

import (
	"net/mail"
	"strings"
	"time"
)

// OperatorKind says what an operator does, and therefore which measures it receives.
type OperatorKind string

// The kinds of operator.
const (
	// KindHost hosts content for others (removal requests, TCO orders).
	KindHost OperatorKind = "host"
	// KindPlatform is a hosting platform with its own terms (also referrals).
	KindPlatform OperatorKind = "platform"
	// KindPublisher is the publisher of a site, addressed directly for removal.
	KindPublisher OperatorKind = "publisher"
	// KindISP provides internet access and blocks by DNS.
	KindISP OperatorKind = "isp"
	// KindSearchEngine dereferences addresses from its results.
	KindSearchEngine OperatorKind = "search_engine"
)

// OperatorKinds lists every kind.
var OperatorKinds = []OperatorKind{KindHost, KindPlatform, KindPublisher, KindISP, KindSearchEngine}

// Valid reports whether k is a known kind.
func (k OperatorKind) Valid() bool {
	for _, known := range OperatorKinds {
		if k == known {
			return true
		}
	}
	return false
}

// Operator is a company or person the authority addresses measures to.
type Operator struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	Kind      OperatorKind `json:"kind"`
	Contact   string       `json:"contact"`   // the point of contact's e-mail address
	Languages []string     `json:"languages"` // BCP 47 tags, preferred first
	Domains   []string     `json:"domains"`   // canonical host names it hosts or serves
	// TCOInformedAt is when the 12-hour advance information before its first TCO removal
	// order (Regulation 2021/784, art. 3(2)) was sent; nil if never.
	TCOInformedAt *time.Time `json:"tco_informed_at,omitempty"`
	// Channels are how deliveries are sent to it besides the API.
	Channels  DeliveryChannels `json:"channels"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Limits on operator fields.
const (
	MaxOperatorDomains   = 1000
	MaxOperatorLanguages = 10
)

// Validate checks the fields an administrator provides. Domains must already be canonical
// (casework canonicalises them first).
func (o *Operator) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	o.Contact = strings.TrimSpace(o.Contact)
	switch {
	case o.Name == "":
		return Invalid("name", "is required")
	case len(o.Name) > MaxNameLength:
		return Invalid("name", "is longer than %d bytes", MaxNameLength)
	case !o.Kind.Valid():
		return Invalid("kind", "must be one of host, platform, publisher, isp, search_engine")
	case o.Contact == "":
		return Invalid("contact", "is required: the e-mail address of the operator's point of contact")
	case len(o.Domains) > MaxOperatorDomains:
		return Invalid("domains", "has more than %d entries", MaxOperatorDomains)
	case len(o.Languages) > MaxOperatorLanguages:
		return Invalid("languages", "has more than %d entries", MaxOperatorLanguages)
	}
	if a, err := mail.ParseAddress(o.Contact); err != nil || a.Name != "" || len(o.Contact) > 254 {
		return Invalid("contact", "must be a plain e-mail address such as abuse@host.example")
	}
	if err := CheckText("name", o.Name, false); err != nil {
		return err
	}
	if err := o.Channels.Validate(o.Kind); err != nil {
		return err
	}
	if len(o.Languages) == 0 {
		return Invalid("languages", "needs at least one language tag, such as fr or en")
	}
	for i, l := range o.Languages {
		if !validLanguageTag(l) {
			return Invalid(IndexField("languages", i), "%q is not a language tag such as fr, en or pt-BR", l)
		}
	}
	return nil
}

// validLanguageTag accepts the simple BCP 47 tags operators declare: a 2–3 letter language
// optionally followed by subtags of 2–8 letters or digits.
func validLanguageTag(tag string) bool {
	parts := strings.Split(tag, "-")
	if n := len(parts[0]); n < 2 || n > 3 || !isAlnum(parts[0], false) {
		return false
	}
	for _, p := range parts[1:] {
		if n := len(p); n < 2 || n > 8 || !isAlnum(p, true) {
			return false
		}
	}
	return true
}

func isAlnum(s string, digits bool) bool {
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || digits && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// OperatorInput is what an administrator gives to register an operator.
type OperatorInput struct {
	Name      string       `json:"name"`
	Kind      OperatorKind `json:"kind"`
	Contact   string       `json:"contact"`
	Languages []string     `json:"languages"`
	Domains   []string     `json:"domains,omitempty"`
	// Channels default to e-mail to the point of contact.
	Channels *DeliveryChannels `json:"channels,omitempty"`
}

// OperatorUpdate changes some fields of an operator; nil fields are left alone.
type OperatorUpdate struct {
	Name      *string         `json:"name,omitempty"`
	Contact   *string         `json:"contact,omitempty"`
	Languages *[]string       `json:"languages,omitempty"`
	Domains   *[]string       `json:"domains,omitempty"`
	Channels  *ChannelsUpdate `json:"channels,omitempty"`
}

// ChannelsUpdate changes some of an operator's channels; nil fields are left alone.
type ChannelsUpdate struct {
	Webhook   *string `json:"webhook,omitempty"`
	Email     *bool   `json:"email,omitempty"`
	SearchAPI *string `json:"search_api,omitempty"`
}

// Apply returns a copy of o with the update applied.
func (u OperatorUpdate) Apply(o Operator) Operator {
	if u.Name != nil {
		o.Name = *u.Name
	}
	if u.Contact != nil {
		o.Contact = *u.Contact
	}
	if u.Languages != nil {
		o.Languages = *u.Languages
	}
	if u.Domains != nil {
		o.Domains = *u.Domains
	}
	if c := u.Channels; c != nil {
		if c.Webhook != nil {
			o.Channels.Webhook = *c.Webhook
		}
		if c.Email != nil {
			o.Channels.Email = *c.Email
		}
		if c.SearchAPI != nil {
			o.Channels.SearchAPI = *c.SearchAPI
		}
	}
	return o
}
