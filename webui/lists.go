package webui

import (
	"net/http"
	"sync"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// The lists: for the authority and the controller, where each recipient stands and every
// measure that made a version; for an ISP or a search engine, the version it holds (for the
// blocking zone, its resolvers' serial) and how to pull the list.

// Zone is the blocking zone as the ISPs' resolvers transfer it.
type Zone struct {
	Name, Primary string // the zone's name and the primary's address
}

// zoneInfo is set once the zone's server listens.
type zoneInfo struct {
	mu   sync.Mutex
	zone *Zone
}

// ServeZone tells the console which zone the ISPs transfer, and from where.
func (c *Console) ServeZone(z Zone) {
	c.zone.mu.Lock()
	c.zone.zone = &z
	c.zone.mu.Unlock()
}

func (c *Console) servedZone() *Zone {
	c.zone.mu.Lock()
	defer c.zone.mu.Unlock()
	return c.zone.zone
}

type listsPage struct {
	Lists       []listView
	Zone        *Zone
	Log         *casework.LogStatus
	Checkpoints []*takedown.Checkpoint // the latest published, newest first
}

type listView struct {
	Kind        takedown.MeasureKind
	Deployments []*takedown.Deployment
	Measures    []*takedown.Measure // every measure of the list, newest first; not for operators
}

func (c *Console) lists(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showLists(w, r, v, http.StatusOK)
}

func (c *Console) showLists(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	ctx := v.ctx(r)
	p := listsPage{Zone: c.servedZone()}
	for _, kind := range []takedown.MeasureKind{takedown.Blocking, takedown.Dereferencing} {
		l := listView{Kind: kind}
		deployments, err := c.svc.Deployment(ctx, kind)
		if err != nil {
			return err
		}
		l.Deployments = deployments
		if v.User.Role != takedown.RoleOperator {
			ms, err := takedown.All(func(pg takedown.Page) ([]*takedown.Measure, string, error) {
				return c.svc.Measures(ctx, takedown.MeasureFilter{Kind: kind, Page: pg})
			})
			if err != nil {
				return err
			}
			for i := len(ms) - 1; i >= 0; i-- {
				l.Measures = append(l.Measures, ms[i])
			}
		} else if len(deployments) == 0 {
			continue // not a recipient of this list
		}
		p.Lists = append(p.Lists, l)
	}
	if v.User.Role == takedown.RoleController {
		status, err := c.svc.LogStatus(ctx)
		if err != nil {
			return err
		}
		p.Log = status
		if p.Checkpoints, _, err = c.svc.Checkpoints(ctx, takedown.Page{Limit: 10}); err != nil {
			return err
		}
	}
	v.done(r)
	v.Title = v.T("lists.title")
	return c.render(w, v, status, "lists", p)
}

// rollback returns a list to its previous version (a supervisor).
func (c *Console) rollback(w http.ResponseWriter, r *http.Request, v *view) error {
	list := takedown.MeasureKind(r.PathValue("list"))
	return c.submit(w, r, v, func() (string, error) {
		_, err := c.svc.Rollback(v.ctx(r), list, r.PostFormValue("reasons"))
		return "/console/lists?done=rollback", err
	}, func(status int) error {
		v.Errors["action"] = "rollback-" + string(list)
		return c.showLists(w, r, v, status)
	})
}
