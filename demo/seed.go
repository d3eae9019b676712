// Package demo seeds a throw-away authority with a realistic, entirely invented world:
// operators of every kind, the authority's staff, a controller, a trusted flagger, and a few
// dozen reports in every state of the procedure, made over four months of simulated time so
// that deadlines have passed, lists are due for re-check and oversight has had its say. Every
// change goes through casework, so the demo's record is as complete as a real one. All names
// are .test or .example; no content exists behind any URL.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// History is how far back the seeded world begins.
const History = 120 * 24 * time.Hour

// Account is one demo user and its token.
type Account struct {
	// Env is the environment variable name the demo exports the token as.
	Env   string
	User  *takedown.User
	Token string
}

// World is what Seed created.
type World struct {
	Accounts []Account
	Cases    int
	Reports  int
	// Images are the generated pictures of the story: the demo writes them out so that a
	// newcomer can match them against the banks.
	Images []Image
}

// Account returns the account exported as env; it panics if there is none, which is a
// mistake in the demo's own code.
func (w *World) Account(env string) Account {
	for _, a := range w.Accounts {
		if a.Env == env {
			return a
		}
	}
	panic("demo: no account " + env)
}

// seeder runs the seeding steps and keeps the first error, so the script reads as a story.
type seeder struct {
	svc   *casework.Service
	clock *takedown.SimClock
	err   error
	world World
	ops   map[string]*takedown.Operator
	users map[string]*takedown.User
}

// Seed fills an empty store. The clock must stand History before the intended present; Seed
// advances it to the present as it goes.
func Seed(ctx context.Context, svc *casework.Service, clock *takedown.SimClock) (*World, error) {
	s := &seeder{svc: svc, clock: clock, ops: map[string]*takedown.Operator{}, users: map[string]*takedown.User{},
		world: World{Images: images()}}
	s.people(ctx)
	s.operators()
	s.history(ctx)
	if s.err != nil {
		return nil, fmt.Errorf("demo: seed: %w", s.err)
	}
	return &s.world, nil
}

func (s *seeder) as(name string) context.Context {
	return takedown.NewContextWithUser(context.Background(), s.users[name])
}

func (s *seeder) asOperator(name string) context.Context {
	return takedown.NewContextWithUser(context.Background(), s.users[name+" desk"])
}

func (s *seeder) user(ctx context.Context, env, name string, role takedown.Role, op int64) {
	if s.err != nil {
		return
	}
	u, token, err := s.svc.CreateUser(ctx, takedown.UserInput{Name: name, Role: role, OperatorID: op})
	if err != nil {
		s.err = err
		return
	}
	s.users[name] = u
	s.world.Accounts = append(s.world.Accounts, Account{Env: env, User: u, Token: token})
}

func (s *seeder) people(ctx context.Context) {
	local := takedown.NewContextWithUser(ctx, casework.LocalAdmin)
	// Staff accounts are made on the server by its local administrator; the API administrator
	// then registers the operators and the trusted flagger.
	s.user(local, "ADMIN", "Administrator", takedown.RoleAdmin, 0)
	s.user(local, "OFFICER", "Officer Alpha", takedown.RoleOfficer, 0)
	s.user(local, "OFFICER2", "Officer Bravo", takedown.RoleOfficer, 0)
	s.user(local, "SUPERVISOR", "Supervisor Charlie", takedown.RoleSupervisor, 0)
	s.user(local, "CONTROLLER", "Controller Delta (qualified person)", takedown.RoleController, 0)
	s.user(local, "CONTROLLER2", "Assistant Golf (controller's staff)", takedown.RoleController, 0)
	s.user(s.as("Administrator"), "FLAGGER", "Echo Trust & Safety (trusted flagger)", takedown.RoleFlagger, 0)
}

// operator registers an operator and its desk user.
func (s *seeder) operator(ctx context.Context, env, name string, kind takedown.OperatorKind, langs []string, domains ...string) {
	if s.err != nil {
		return
	}
	// The demo has no mail relay: its operators take their deliveries through the API.
	o, err := s.svc.CreateOperator(ctx, takedown.OperatorInput{Name: name, Kind: kind,
		Contact: "abuse@" + slug(name) + ".example", Languages: langs, Domains: domains, Channels: &takedown.DeliveryChannels{}})
	if err != nil {
		s.err = err
		return
	}
	s.ops[name] = o
	s.user(ctx, env, name+" desk", takedown.RoleOperator, o.ID)
}

func slug(name string) string {
	b := make([]byte, 0, len(name))
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case r == ' ':
			b = append(b, '-')
		}
	}
	return string(b)
}

func (s *seeder) operators() {
	admin := s.as("Administrator")
	fr, en := []string{"fr", "en"}, []string{"en"}
	// A web host: its customers' sites include sites dedicated to the content, which are what
	// blocking lists name. A video platform hosts its users' videos under its own domain, which
	// must never be blocked as a whole.
	s.operator(admin, "HOST", "Example Web Hosting", takedown.KindHost, fr,
		"tribute-videos.example", "propaganda-mirror.example", "martyrs-archive.example", "news-mirror.example")
	s.operator(admin, "HOST2", "Pastebin Hosting", takedown.KindHost, en, "paste.host.test")
	s.operator(admin, "PLATFORM", "Microblog Platform", takedown.KindPlatform, en, "microblog.platform.test")
	s.operator(admin, "PLATFORM2", "Forum Platform", takedown.KindPlatform, fr, "forum.platform.test")
	s.operator(admin, "VIDEOSHARE", "Videoshare", takedown.KindPlatform, fr, "videos.platform.test")
	s.operator(admin, "PUBLISHER", "Example Blog Publisher", takedown.KindPublisher, fr, "blog.publisher.example")
	s.operator(admin, "ISP", "Fibre Network ISP", takedown.KindISP, fr)
	s.operator(admin, "ISP2", "Mobile Connect ISP", takedown.KindISP, fr)
	s.operator(admin, "ISP3", "Cable East ISP", takedown.KindISP, fr)
	s.operator(admin, "SEARCH", "Search One", takedown.KindSearchEngine, en)
	s.operator(admin, "SEARCH2", "Search Two", takedown.KindSearchEngine, fr)
}
