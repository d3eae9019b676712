package casework

import (
	"context"
	"slices"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
)

// Authenticate returns the user owning an API token. Unknown, revoked and disabled users'
// tokens are all refused alike.
func (s *Service) Authenticate(ctx context.Context, secret string) (*takedown.User, error) {
	var u *takedown.User
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		u, err = tx.UserByToken(takedown.TokenAPI, takedown.HashToken(secret), tx.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "the token is not valid")
	}
	return u, nil
}

// CreateOperator registers an operator. Its domains are canonicalised.
func (s *Service) CreateOperator(ctx context.Context, in takedown.OperatorInput) (*takedown.Operator, error) {
	u, err := require(ctx, takedown.RoleAdmin)
	if err != nil {
		return nil, err
	}
	o := takedown.Operator{Name: in.Name, Kind: in.Kind, Contact: in.Contact, Languages: in.Languages, Domains: in.Domains,
		Channels: takedown.DeliveryChannels{Email: true}}
	if in.Channels != nil {
		o.Channels = *in.Channels
	}
	if err := canonicalDomains(&o); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx takedown.Tx) error {
		o.CreatedAt, o.UpdatedAt = tx.Now(), tx.Now()
		if err := tx.CreateOperator(&o); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventOperatorCreated, operator: o.ID,
			data: map[string]any{"name": o.Name, "kind": o.Kind, "domains": len(o.Domains), "channels": o.Channels}})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// UpdateOperator changes an operator's name, contact, languages or domains. Its kind never
// changes: measures already sent depend on it.
func (s *Service) UpdateOperator(ctx context.Context, id int64, upd takedown.OperatorUpdate) (*takedown.Operator, error) {
	u, err := require(ctx, takedown.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var o takedown.Operator
	err = s.update(ctx, func(tx takedown.Tx) error {
		old, err := tx.Operator(id)
		if err != nil {
			return err
		}
		o = upd.Apply(*old)
		if err := canonicalDomains(&o); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		o.UpdatedAt = tx.Now()
		if err := tx.UpdateOperator(&o); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventOperatorUpdated, operator: o.ID,
			data: map[string]any{"name": o.Name, "domains": len(o.Domains), "channels": o.Channels}})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// canonicalDomains canonicalises and de-duplicates an operator's host names.
func canonicalDomains(o *takedown.Operator) error {
	var out []string
	for i, d := range o.Domains {
		h, err := canon.Host(d)
		if err != nil {
			return takedown.Invalid(takedown.IndexField("domains", i), "%v", err)
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	o.Domains = out
	if o.Languages == nil {
		o.Languages = []string{}
	}
	if o.Domains == nil {
		o.Domains = []string{}
	}
	return nil
}

// Operator returns an operator. An operator's own users see their own operator only.
func (s *Service) Operator(ctx context.Context, id int64) (*takedown.Operator, error) {
	u, err := require(ctx, takedown.RoleAdmin, takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController, takedown.RoleOperator)
	if err != nil {
		return nil, err
	}
	if u.Role == takedown.RoleOperator && u.OperatorID != id {
		return nil, forbidden("you can see your own operator (%d) only", u.OperatorID)
	}
	var o *takedown.Operator
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		o, err = tx.Operator(id)
		return err
	})
	return o, err
}

// Operators lists the operator registry.
func (s *Service) Operators(ctx context.Context, f takedown.OperatorFilter) ([]*takedown.Operator, string, error) {
	if _, err := require(ctx, takedown.RoleAdmin, takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController); err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, "", takedown.Invalid("kind", "%q is not an operator kind", f.Kind)
	}
	var list []*takedown.Operator
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Operators(f)
		return err
	})
	return list, next, err
}

// staffRoles are the accounts that act for the authority or oversee it. They are managed only
// by the local administrator (`takedown admin user …` on the server), never through an API
// token: otherwise one administrator token could create a second supervisor to defeat the
// four eyes, take over the controller's account, or disable it.
var staffRoles = []takedown.Role{takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController, takedown.RoleAdmin}

// checkAccountManager refuses an API administrator acting on a staff account.
func checkAccountManager(admin *takedown.User, role takedown.Role) error {
	if admin != LocalAdmin && slices.Contains(staffRoles, role) {
		return forbidden("%s accounts are managed on the server with `takedown admin user …`, not through the API: "+
			"no API token may create, unlock or disable the authority's or the controller's accounts", role)
	}
	return nil
}

// CreateUser adds a user and returns it with its first API token, which is shown only now.
func (s *Service) CreateUser(ctx context.Context, in takedown.UserInput) (*takedown.User, string, error) {
	admin, err := require(ctx, takedown.RoleAdmin)
	if err != nil {
		return nil, "", err
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	if err := checkAccountManager(admin, in.Role); err != nil {
		return nil, "", err
	}
	secret := takedown.NewTokenSecret()
	u := &takedown.User{Name: in.Name, Role: in.Role, OperatorID: in.OperatorID}
	err = s.update(ctx, func(tx takedown.Tx) error {
		if u.OperatorID != 0 {
			if _, err := tx.Operator(u.OperatorID); takedown.ErrorCode(err) == takedown.ENOTFOUND {
				return takedown.Invalid("operator_id", "there is no operator %d", u.OperatorID)
			} else if err != nil {
				return err
			}
		}
		u.CreatedAt = tx.Now()
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		if err := record(tx, admin, event{kind: takedown.EventUserCreated, operator: u.OperatorID,
			data: map[string]any{"user_id": u.ID, "name": u.Name, "role": u.Role}}); err != nil {
			return err
		}
		return s.createToken(tx, admin, u, secret, false)
	})
	if err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

// IssueToken gives a user a new API token, shown only now. With revokeOthers, the user's
// earlier tokens stop working (rotation after a leak).
func (s *Service) IssueToken(ctx context.Context, userID int64, revokeOthers bool) (string, error) {
	admin, err := require(ctx, takedown.RoleAdmin)
	if err != nil {
		return "", err
	}
	secret := takedown.NewTokenSecret()
	err = s.update(ctx, func(tx takedown.Tx) error {
		u, err := tx.User(userID)
		if err != nil {
			return err
		}
		if err := checkAccountManager(admin, u.Role); err != nil {
			return err
		}
		if u.Disabled {
			return conflict("user %d is disabled", u.ID)
		}
		if revokeOthers {
			if err := tx.RevokeTokens(u.ID, tx.Now()); err != nil {
				return err
			}
		}
		return s.createToken(tx, admin, u, secret, revokeOthers)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

func (s *Service) createToken(tx takedown.Tx, admin, u *takedown.User, secret string, revokedOthers bool) error {
	t := &takedown.Token{UserID: u.ID, Kind: takedown.TokenAPI, CreatedAt: tx.Now()}
	if err := tx.CreateToken(t, takedown.HashToken(secret)); err != nil {
		return err
	}
	return record(tx, admin, event{kind: takedown.EventTokenIssued, operator: u.OperatorID,
		data: map[string]any{"user_id": u.ID, "token_id": t.ID, "revoked_others": revokedOthers}})
}

// DisableUser disables a user and revokes all its tokens.
func (s *Service) DisableUser(ctx context.Context, id int64) (*takedown.User, error) {
	admin, err := require(ctx, takedown.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if admin.ID == id {
		return nil, conflict("you cannot disable yourself; another administrator can")
	}
	var u *takedown.User
	err = s.update(ctx, func(tx takedown.Tx) error {
		if u, err = tx.User(id); err != nil {
			return err
		}
		if err := checkAccountManager(admin, u.Role); err != nil {
			return err
		}
		if u.Disabled {
			return nil
		}
		u.Disabled = true
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		if err := tx.RevokeTokens(u.ID, tx.Now()); err != nil {
			return err
		}
		return record(tx, admin, event{kind: takedown.EventUserDisabled, operator: u.OperatorID, data: map[string]any{"user_id": u.ID}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// User returns a user: administrators and the controller see everyone; others see themselves.
func (s *Service) User(ctx context.Context, id int64) (*takedown.User, error) {
	me := takedown.UserFromContext(ctx)
	if me == nil {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "sign in with a token to do this")
	}
	if me.ID != id {
		if _, err := require(ctx, takedown.RoleAdmin, takedown.RoleController); err != nil {
			return nil, err
		}
	}
	var u *takedown.User
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		u, err = tx.User(id)
		return err
	})
	return u, err
}

// Users lists users, for administrators and the controller.
func (s *Service) Users(ctx context.Context, p takedown.Page) ([]*takedown.User, string, error) {
	if _, err := require(ctx, takedown.RoleAdmin, takedown.RoleController); err != nil {
		return nil, "", err
	}
	if err := p.Normalize(); err != nil {
		return nil, "", err
	}
	var list []*takedown.User
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Users(p)
		return err
	})
	return list, next, err
}

// MaxClockAdvance bounds one jump of the demo clock.
const MaxClockAdvance = 400 * 24 * time.Hour

// AdvanceClock moves the demo's simulated clock forward, for any signed-in user, and records
// the jump, so that the record of a demo shows which deadlines passed by simulation.
func (s *Service) AdvanceClock(ctx context.Context, clock *takedown.SimClock, d time.Duration) (time.Time, error) {
	u, err := require(ctx, takedown.Roles...)
	if err != nil {
		return time.Time{}, err
	}
	if d <= 0 || d > MaxClockAdvance {
		return time.Time{}, takedown.Invalid("advance", "must be a positive duration of at most %s, such as 25h", MaxClockAdvance)
	}
	clock.Advance(d)
	err = s.update(ctx, func(tx takedown.Tx) error {
		return record(tx, u, event{kind: takedown.EventClockAdvanced, data: map[string]any{"advance": d.String()}})
	})
	return clock.Now(), err
}
