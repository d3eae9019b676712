package casework

import (
	"context"
	"strings"
	"sync"

	"github.com/takedown-project/takedown"
)

// IssueSignInLink makes a one-time secret that opens a console session for a user, valid
// for takedown.SignInLinkLifetime. Only offline administration may (`takedown admin user
// link`, and the demo): whoever can read the data directory hands it to the user in person.
func (s *Service) IssueSignInLink(ctx context.Context, userID int64) (string, error) {
	if takedown.UserFromContext(ctx) != LocalAdmin {
		return "", forbidden("sign-in links are issued on the server with `takedown admin user link`")
	}
	secret := takedown.NewTokenSecret()
	err := s.update(ctx, func(tx takedown.Tx) error {
		u, err := tx.User(userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return conflict("user %d is disabled", u.ID)
		}
		t := &takedown.Token{UserID: u.ID, Kind: takedown.TokenSignInLink, CreatedAt: tx.Now(), ExpiresAt: tx.Now().Add(takedown.SignInLinkLifetime)}
		if err := tx.CreateToken(t, takedown.HashToken(secret)); err != nil {
			return err
		}
		return record(tx, LocalAdmin, event{kind: takedown.EventSignInLinkIssued, operator: u.OperatorID,
			data: map[string]any{"user_id": u.ID, "token_id": t.ID, "expires_at": t.ExpiresAt}})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// SignIn spends a sign-in link: the link stops working and a console session opens, whose
// secret goes in the browser's cookie. An expired, used or unknown link is refused alike.
func (s *Service) SignIn(ctx context.Context, link string) (session string, u *takedown.User, err error) {
	session = takedown.NewTokenSecret()
	err = s.update(ctx, func(tx takedown.Tx) error {
		hash := takedown.HashToken(link)
		if u, err = tx.UserByToken(takedown.TokenSignInLink, hash, tx.Now()); err != nil {
			if takedown.ErrorCode(err) == takedown.EUNAUTHORIZED {
				return takedown.Errorf(takedown.EUNAUTHORIZED, "this sign-in link is not valid: it was used already, it expired (links last %s), or it was never issued; ask an administrator for a new one", takedown.SignInLinkLifetime)
			}
			return err
		}
		if u.Disabled {
			return takedown.Errorf(takedown.EUNAUTHORIZED, "this account is disabled")
		}
		if err := tx.RevokeToken(hash, tx.Now()); err != nil {
			return err
		}
		return s.openSession(tx, u, session, "link")
	})
	if err != nil {
		return "", nil, err
	}
	return session, u, nil
}

// openSession stores a new session for u and records the sign-in.
func (s *Service) openSession(tx takedown.Tx, u *takedown.User, session, method string) error {
	t := &takedown.Token{UserID: u.ID, Kind: takedown.TokenSession, CreatedAt: tx.Now(), ExpiresAt: tx.Now().Add(takedown.SessionLifetime)}
	if err := tx.CreateToken(t, takedown.HashToken(session)); err != nil {
		return err
	}
	return record(tx, u, event{kind: takedown.EventSignedIn, operator: u.OperatorID,
		data: map[string]any{"user_id": u.ID, "session_id": t.ID, "method": method}})
}

// SessionUser returns the user of an open console session.
func (s *Service) SessionUser(ctx context.Context, session string) (*takedown.User, error) {
	var u *takedown.User
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		u, err = tx.UserByToken(takedown.TokenSession, takedown.HashToken(session), tx.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "this account is disabled")
	}
	return u, nil
}

// SignOut ends a console session.
func (s *Service) SignOut(ctx context.Context, session string) error {
	return s.update(ctx, func(tx takedown.Tx) error { return tx.RevokeToken(takedown.HashToken(session), tx.Now()) })
}

// SetPassword sets (or, with "", removes) a user's console password. Only offline
// administration may, as for every staff account; a name shared by another user with a
// password is refused, since the name is what signs in.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	if takedown.UserFromContext(ctx) != LocalAdmin {
		return forbidden("passwords are set on the server with `takedown admin user password`")
	}
	hash := ""
	if password != "" {
		if err := takedown.CheckPassword(password); err != nil {
			return err
		}
		hash = hashPassword(password)
	}
	return s.update(ctx, func(tx takedown.Tx) error {
		u, err := tx.User(userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return conflict("user %d is disabled", u.ID)
		}
		namesakes, err := tx.UsersNamed(u.Name)
		if err != nil {
			return err
		}
		for _, other := range namesakes {
			if other.ID == u.ID || other.Disabled || hash == "" {
				continue
			}
			if h, err := tx.PasswordHash(other.ID); err != nil {
				return err
			} else if h != "" {
				return conflict("user %d, %q, has a password under the same name; a name signs in only one user: rename one of them first", other.ID, other.Name)
			}
		}
		if err := tx.SetPassword(u.ID, hash); err != nil {
			return err
		}
		return record(tx, LocalAdmin, event{kind: takedown.EventPasswordSet, operator: u.OperatorID,
			data: map[string]any{"user_id": u.ID, "removed": hash == ""}})
	})
}

// dummyHash is verified against when no user has the name, so that a wrong name takes as
// long as a wrong password.
var dummyHash = sync.OnceValue(func() string { return hashPassword("takedown: no such user") })

// SignInWithPassword opens a console session for the enabled user of this name whose
// password this is. Wrong names and wrong passwords are refused alike.
func (s *Service) SignInWithPassword(ctx context.Context, name, password string) (session string, u *takedown.User, err error) {
	refused := takedown.Errorf(takedown.EUNAUTHORIZED, "the name or the password is wrong")
	var hash string
	err = s.view(ctx, func(tx takedown.Tx) error {
		users, err := tx.UsersNamed(strings.TrimSpace(name))
		if err != nil {
			return err
		}
		for _, candidate := range users {
			if candidate.Disabled {
				continue
			}
			h, err := tx.PasswordHash(candidate.ID)
			if err != nil {
				return err
			}
			if h != "" {
				u, hash = candidate, h
				break
			}
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	if u == nil {
		passwordMatches(dummyHash(), password)
		return "", nil, refused
	}
	if !passwordMatches(hash, password) {
		return "", nil, refused
	}
	session = takedown.NewTokenSecret()
	err = s.update(ctx, func(tx takedown.Tx) error { return s.openSession(tx, u, session, "password") })
	if err != nil {
		return "", nil, err
	}
	return session, u, nil
}
