package takedown

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"
)

// Role is what a user may do. Authorisation in casework is by role and, for operators, by
// the operator the user belongs to.
type Role string

// The roles.
const (
	// RoleOfficer triages, qualifies, issues measures, re-checks and lifts.
	RoleOfficer Role = "officer"
	// RoleSupervisor does what an officer does and is the second pair of eyes: approves
	// qualifications and list measures made by someone else, answers recommendations.
	RoleSupervisor Role = "supervisor"
	// RoleController is the independent qualified person (or a deputy or assistant): reads
	// everything, recommends, records court referrals. Changes nothing else.
	RoleController Role = "controller"
	// RoleOperator belongs to one operator and sees and answers only what is addressed to it.
	RoleOperator Role = "operator"
	// RoleFlagger is a trusted flagger: reports with priority and follows its own reports.
	RoleFlagger Role = "flagger"
	// RoleAdmin manages operators, users and tokens; it sees no case content.
	RoleAdmin Role = "admin"
)

// Roles lists every role, in the order used by documentation and tests.
var Roles = []Role{RoleOfficer, RoleSupervisor, RoleController, RoleOperator, RoleFlagger, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// IsAuthority reports whether the role acts for the authority (officers and supervisors).
func (r Role) IsAuthority() bool { return r == RoleOfficer || r == RoleSupervisor }

// User is a person or system with a token.
type User struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"`
	OperatorID int64     `json:"operator_id,omitempty"`
	Disabled   bool      `json:"disabled"`
	CreatedAt  time.Time `json:"created_at"`
}

// Limits on user fields.
const MaxNameLength = 200

// UserInput is what an administrator gives to add a user.
type UserInput struct {
	Name       string `json:"name"`
	Role       Role   `json:"role"`
	OperatorID int64  `json:"operator_id,omitempty"`
}

// Validate checks the fields.
func (u *UserInput) Validate() error {
	u.Name = strings.TrimSpace(u.Name)
	switch {
	case u.Name == "":
		return Invalid("name", "is required")
	case len(u.Name) > MaxNameLength:
		return Invalid("name", "is longer than %d bytes", MaxNameLength)
	case !u.Role.Valid():
		return Invalid("role", "must be one of %s", strings.Join(Names(Roles), ", "))
	case u.Role == RoleOperator && u.OperatorID == 0:
		return Invalid("operator_id", "is required for the operator role: an operator user belongs to one operator")
	case u.Role != RoleOperator && u.OperatorID != 0:
		return Invalid("operator_id", "is only for the operator role")
	}
	return CheckText("name", u.Name, false)
}

// Token is a credential. Only its hash is stored; the secret is shown once at creation.
type Token struct {
	ID        int64
	UserID    int64
	Kind      TokenKind
	CreatedAt time.Time
	// ExpiresAt ends a session or a sign-in link; API tokens do not expire (zero).
	ExpiresAt time.Time
}

// TokenKind says what a token opens.
type TokenKind string

// The kinds of token. Each opens only its own door: a session cookie is no API token, and
// a sign-in link is good once, for a session.
const (
	// TokenAPI authenticates API calls (Authorization: Bearer).
	TokenAPI TokenKind = "api"
	// TokenSession is a signed-in console session, held in a cookie.
	TokenSession TokenKind = "session"
	// TokenSignInLink is a one-time link printed by `takedown admin user link`.
	TokenSignInLink TokenKind = "signin_link"
)

// How long console credentials last.
const (
	SessionLifetime    = 12 * time.Hour
	SignInLinkLifetime = 15 * time.Minute
)

// tokenPrefix makes tokens recognisable by secret scanners and in support requests.
const tokenPrefix = "tdk_"

// NewTokenSecret returns a fresh random token secret (160 bits).
func NewTokenSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// HashToken returns the stored form of a token secret. Secrets are random and long, so a
// plain SHA-256 is enough: there is nothing to brute-force.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
