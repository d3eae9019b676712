package httpapi

// TableRoute is one route of the route table as the package's black-box tests see it: the
// mux pattern under /api/v1 and who may call it.
type TableRoute struct {
	Method, Path string
	Roles        []string
}

// TableRoutes returns the server's route table, so that the black-box tests can hold it
// against casework's real answers and against the OpenAPI document.
func (s *Server) TableRoutes() []TableRoute {
	out := make([]TableRoute, len(s.routes))
	for i, rt := range s.routes {
		out[i] = TableRoute{Method: rt.method, Path: rt.path, Roles: rt.roles}
	}
	return out
}
