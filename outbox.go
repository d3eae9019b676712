package takedown

import (
	"net/url"
	"strings"
	"time"
)

// Transport is a way of sending a delivery to its operator. Every delivery can also be
// pulled through the API, whatever the operator's channels.
type Transport string

// The transports.
const (
	// ChannelWebhook posts the delivery to the operator's endpoint, signed per the Standard
	// Webhooks specification; the endpoint's 2xx answer is the operator's receipt.
	TransportWebhook Transport = "webhook"
	// ChannelEmail sends the delivery to the operator's point of contact through the
	// authority's SMTP relay. The relay's acceptance is not a receipt: the operator
	// acknowledges through the portal or the API.
	TransportEmail Transport = "email"
)

// Transports lists every transport.
var Transports = []Transport{TransportWebhook, TransportEmail}

// DeliveryChannels are how one operator is sent its deliveries.
type DeliveryChannels struct {
	// Webhook is the endpoint signed deliveries are posted to; empty for none.
	Webhook string `json:"webhook,omitempty"`
	// Email sends every delivery to the operator's point of contact.
	Email bool `json:"email"`
	// SearchAPI is, for a search engine, the address the compliance check asks whether a
	// URL is still referenced, with {url} where the URL goes; empty for none.
	SearchAPI string `json:"search_api,omitempty"`
}

// MaxEndpointLength bounds a configured endpoint's address.
const MaxEndpointLength = 2048

// Validate checks the channels of an operator of kind k.
func (c *DeliveryChannels) Validate(k OperatorKind) error {
	c.Webhook, c.SearchAPI = strings.TrimSpace(c.Webhook), strings.TrimSpace(c.SearchAPI)
	if c.Webhook != "" {
		if err := checkEndpoint("channels.webhook", c.Webhook); err != nil {
			return err
		}
	}
	if c.SearchAPI != "" {
		if k != KindSearchEngine {
			return Invalid("channels.search_api", "applies to search engines only")
		}
		if !strings.Contains(c.SearchAPI, "{url}") {
			return Invalid("channels.search_api", "must contain {url} where the address to check goes, as in https://api.search.example/v1/indexed?url={url}")
		}
		if err := checkEndpoint("channels.search_api", strings.ReplaceAll(c.SearchAPI, "{url}", "x")); err != nil {
			return err
		}
	}
	return nil
}

// checkEndpoint checks an absolute http or https address without credentials.
func checkEndpoint(field, s string) error {
	if len(s) > MaxEndpointLength {
		return Invalid(field, "is longer than %d bytes", MaxEndpointLength)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return Invalid(field, "is not an address: %v", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return Invalid(field, "must be an https:// address")
	case u.Host == "":
		return Invalid(field, "has no host")
	case u.User != nil:
		return Invalid(field, "must not carry credentials; webhooks are authenticated by their signature")
	case u.Fragment != "":
		return Invalid(field, "must not have a #fragment")
	}
	return nil
}

// TransmissionState is where one transmission of a delivery stands.
type TransmissionState string

// The transmission states.
const (
	// TransmissionPending: waiting to be sent, or to be sent again after a failed attempt.
	TransmissionPending TransmissionState = "pending"
	// TransmissionAccepted: the receiver took it (a webhook's 2xx, the relay's acceptance of
	// an e-mail); it is never sent again.
	TransmissionAccepted TransmissionState = "accepted"
	// TransmissionFailed: every attempt failed until the configured time ran out, or the
	// receiver refused it for good; an alert was raised.
	TransmissionFailed TransmissionState = "failed"
	// TransmissionCancelled: the measure was withdrawn before it was sent; its withdrawal
	// goes instead.
	TransmissionCancelled TransmissionState = "cancelled"
)

// TransmissionStates lists every state.
var TransmissionStates = []TransmissionState{TransmissionPending, TransmissionAccepted, TransmissionFailed, TransmissionCancelled}

// Transmission is one delivery on its way to its operator through one channel: the outbox's
// row, written in the same transaction as the delivery.
type Transmission struct {
	ID         int64     `json:"id"`
	DeliveryID int64     `json:"delivery_id"`
	OperatorID int64     `json:"operator_id"`
	Transport  Transport `json:"transport"`
	// Clarification: it carries the authority's clarification of the delivery, whose
	// receipt restarts a stopped deadline, rather than the delivery itself.
	Clarification bool `json:"clarification,omitempty"`
	// MessageID is the same on every attempt (the webhook-id, the e-mail's Message-ID): a
	// receiver that already has it can tell a retry from a new delivery.
	MessageID string            `json:"message_id"`
	State     TransmissionState `json:"state"`
	Attempts  int               `json:"attempts"`
	CreatedAt time.Time         `json:"created_at"`
	// NextAttemptAt is when a pending transmission is sent next. An attempt in progress
	// holds it a little later, so that a worker that died mid-attempt is retried then.
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at,omitempty"`
	// LastStatus is the receiver's last HTTP or SMTP status, 0 when it gave none.
	LastStatus int        `json:"last_status,omitempty"`
	LastError  string     `json:"last_error,omitempty"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	FailedAt   *time.Time `json:"failed_at,omitempty"`
}

// TransmissionFilter selects transmissions.
type TransmissionFilter struct {
	DeliveryID int64             `query:"delivery_id"`
	OperatorID int64             `query:"operator_id"`
	State      TransmissionState `query:"state"`
	// Due selects the pending transmissions whose next attempt is due at the transaction's
	// time.
	Due bool
	Page
}

// WebhookSecret is one of an operator's webhook signing secrets, sealed at rest. While a
// rotation overlaps, the old secret (with its expiry) and the new one both sign.
type WebhookSecret struct {
	ID         int64      `json:"id"`
	OperatorID int64      `json:"operator_id"`
	Sealed     []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}

// Active reports whether the secret still signs at time t.
func (s *WebhookSecret) Active(t time.Time) bool { return s.ExpiresAt == nil || t.Before(*s.ExpiresAt) }

// CheckOutcome is what a compliance check found.
type CheckOutcome string

// The outcomes.
const (
	// CheckGone: the content is no longer served (HTTP 404, 410, 451, a host that no longer
	// resolves) or the search engine no longer references it.
	CheckGone CheckOutcome = "gone"
	// CheckPresent: the content is still served or referenced.
	CheckPresent CheckOutcome = "present"
	// CheckInconclusive: the check could not tell (an error, a timeout, an access control).
	CheckInconclusive CheckOutcome = "inconclusive"
)

// CheckOutcomes lists every outcome.
var CheckOutcomes = []CheckOutcome{CheckGone, CheckPresent, CheckInconclusive}

// ComplianceCheck is one fetch of one target of a delivery after its deadline, or after the
// operator said it complied.
type ComplianceCheck struct {
	ID         int64        `json:"id"`
	DeliveryID int64        `json:"delivery_id"`
	Target     string       `json:"target"`
	CheckedAt  time.Time    `json:"checked_at"`
	Status     int          `json:"status,omitempty"`
	Digest     string       `json:"digest,omitempty"`
	Size       int64        `json:"size"`
	Outcome    CheckOutcome `json:"outcome"`
	Reason     string       `json:"reason"`
}
