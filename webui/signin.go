package webui

import (
	"net/http"
	"strconv"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// Sign-in: a one-time link, printed by `takedown admin user link`, opens a session after
// one click on a button (so that a mail scanner that fetches the link does not spend it).
// The demo's sign-in page has a button per demo user instead.

type signinPage struct {
	Secret, Next string
	Demo         []*takedown.User
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("signin.title")
	p := signinPage{Next: localPath(r.URL.Query().Get("next"))}
	if c.cfg.Demo {
		users, _, err := c.svc.Users(takedown.NewContextWithUser(r.Context(), casework.LocalAdmin), takedown.Page{Limit: 50})
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.Disabled && u.Role != takedown.RoleAdmin {
				p.Demo = append(p.Demo, u)
			}
		}
	}
	return c.render(w, v, http.StatusOK, "signin", p)
}

func (c *Console) signinLink(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("signin.title")
	return c.render(w, v, http.StatusOK, "signin", signinPage{Secret: r.PathValue("secret"), Next: localPath(r.URL.Query().Get("next"))})
}

func (c *Console) signin(w http.ResponseWriter, r *http.Request, v *view) error {
	session, _, err := c.svc.SignIn(r.Context(), r.PathValue("secret"))
	if err != nil {
		if takedown.ErrorCode(err) != takedown.EUNAUTHORIZED {
			return err
		}
		v.Title = v.T("signin.title")
		v.Errors[""] = takedown.ErrorMessage(err)
		return c.render(w, v, http.StatusUnauthorized, "signin", signinPage{})
	}
	c.setSession(w, session)
	c.redirect(w, r, localPath(r.PostFormValue("next")))
	return nil
}

// maxSignInsPerMinute limits the password attempts from one connection.
const maxSignInsPerMinute = 10

// signinPassword signs in with a name and a password.
func (c *Console) signinPassword(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return formTooLarge(err)
	}
	v.Form = r.PostForm
	v.Title = v.T("signin.title")
	next := localPath(r.PostFormValue("next"))
	if !c.signins.Allow(clientOf(r, c.cfg.ClientIPHeader)) {
		w.Header().Set("Retry-After", "60")
		v.Errors[""] = v.T("signin.toomany")
		return c.render(w, v, http.StatusTooManyRequests, "signin", signinPage{Next: next})
	}
	session, _, err := c.svc.SignInWithPassword(r.Context(), r.PostFormValue("name"), r.PostFormValue("password"))
	if takedown.ErrorCode(err) == takedown.EUNAUTHORIZED {
		v.Errors[""] = v.T("signin.wrong")
		return c.render(w, v, http.StatusUnauthorized, "signin", signinPage{Next: next})
	}
	if err != nil {
		return err
	}
	c.setSession(w, session)
	c.redirect(w, r, next)
	return nil
}

// demoSignin signs in as a demo user: the demo issues itself a link and spends it.
func (c *Console) demoSignin(w http.ResponseWriter, r *http.Request, v *view) error {
	if !c.cfg.Demo {
		return takedown.Errorf(takedown.ENOTFOUND, "there is no %s", r.URL.Path)
	}
	id, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil {
		return takedown.Invalid("user", "is not a user id")
	}
	link, err := c.svc.IssueSignInLink(takedown.NewContextWithUser(r.Context(), casework.LocalAdmin), id)
	if err != nil {
		return err
	}
	r.SetPathValue("secret", link)
	return c.signin(w, r, v)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, v *view) error {
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := c.svc.SignOut(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	c.clearSession(w)
	c.redirect(w, r, "/")
	return nil
}

// switchLanguage remembers the language chosen and goes back to the page.
func (c *Console) switchLanguage(w http.ResponseWriter, r *http.Request, v *view) error {
	lang := r.URL.Query().Get("to")
	if !known(lang) {
		return takedown.Invalid("to", "must be fr or en")
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode,
		Secure: c.cfg.Secure, HttpOnly: true})
	back := localPath(r.URL.Query().Get("back"))
	c.redirect(w, r, back)
	return nil
}
