package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/takedown-project/takedown"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

const userColumns = "id, name, role, operator_id, disabled, created_at"

func scanUser(s scanner) (*takedown.User, error) {
	var u takedown.User
	var op sql.NullInt64
	var disabled int
	var created int64
	if err := s.Scan(&u.ID, &u.Name, &u.Role, &op, &disabled, &created); err != nil {
		return nil, err
	}
	u.OperatorID, u.Disabled, u.CreatedAt = op.Int64, disabled == 1, fromTS(created)
	return &u, nil
}

// CreateUser inserts a user and sets its id.
func (t *Tx) CreateUser(u *takedown.User) (err error) {
	u.ID, err = t.insert(`INSERT INTO users (name, role, operator_id, disabled, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.Name, u.Role, nullInt(u.OperatorID), boolInt(u.Disabled), ts(u.CreatedAt))
	return err
}

// UpdateUser writes the user's mutable fields.
func (t *Tx) UpdateUser(u *takedown.User) error {
	_, err := t.exec(`UPDATE users SET name = ?, disabled = ? WHERE id = ?`, u.Name, boolInt(u.Disabled), u.ID)
	return err
}

// User returns a user by id.
func (t *Tx) User(id int64) (*takedown.User, error) {
	u, err := scanUser(t.queryRow(`SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, notFound(err, "user", id)
}

// Users lists users by id.
func (t *Tx) Users(p takedown.Page) ([]*takedown.User, string, error) {
	var w where
	limit, err := afterID(&w, p, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+userColumns+` FROM users`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.User, error) { return scanUser(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, p.Limit, func(u *takedown.User) string { return strconv.FormatInt(u.ID, 10) })
	return list, next, nil
}

// CreateToken stores a token's hash and sets its id.
func (t *Tx) CreateToken(tok *takedown.Token, hash []byte) (err error) {
	var expires sql.NullInt64
	if !tok.ExpiresAt.IsZero() {
		expires = sql.NullInt64{Int64: ts(tok.ExpiresAt), Valid: true}
	}
	tok.ID, err = t.insert(`INSERT INTO tokens (user_id, hash, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		tok.UserID, hash, tok.Kind, ts(tok.CreatedAt), expires)
	return err
}

// UserByToken returns the owner of an unrevoked, unexpired token of a kind.
func (t *Tx) UserByToken(kind takedown.TokenKind, hash []byte, now time.Time) (*takedown.User, error) {
	u, err := scanUser(t.queryRow(`SELECT u.id, u.name, u.role, u.operator_id, u.disabled, u.created_at
		FROM tokens k JOIN users u ON u.id = k.user_id
		WHERE k.hash = ? AND k.kind = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)`, hash, kind, ts(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "the token is not valid")
	}
	return u, err
}

// RevokeToken revokes one token.
func (t *Tx) RevokeToken(hash []byte, at time.Time) error {
	_, err := t.exec(`UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL`, ts(at), hash)
	return err
}

// RevokeTokens revokes every token of a user.
func (t *Tx) RevokeTokens(userID int64, at time.Time) error {
	_, err := t.exec(`UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, ts(at), userID)
	return err
}

// UsersNamed returns the users of a name, without regard to case.
func (t *Tx) UsersNamed(name string) ([]*takedown.User, error) {
	rows, err := t.query(`SELECT `+userColumns+` FROM users WHERE lower(name) = lower(?) ORDER BY id`, name)
	return collect(rows, err, func(r *sql.Rows) (*takedown.User, error) { return scanUser(r) })
}

// SetPassword stores a user's password hash, or removes it.
func (t *Tx) SetPassword(userID int64, hash string) error {
	var v any
	if hash != "" {
		v = hash
	}
	_, err := t.exec(`UPDATE users SET password = ? WHERE id = ?`, v, userID)
	return err
}

// PasswordHash reads a user's password hash; "" for none.
func (t *Tx) PasswordHash(userID int64) (string, error) {
	var hash sql.NullString
	err := t.queryRow(`SELECT password FROM users WHERE id = ?`, userID).Scan(&hash)
	return hash.String, notFound(err, "user", userID)
}
