// Package client calls the takedown API. It turns problem documents back into
// *takedown.Error values, so that callers (the CLI, tests, load tools) handle the same error
// codes as the server.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// Client is an API client for one server and one token (empty for the public).
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
}

// New returns a client for the server at baseURL.
func New(baseURL, token string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, HTTP: &http.Client{Timeout: time.Minute}}
}

// maxResponse caps what the client reads of one answer.
const maxResponse = 64 << 20

// Do calls method on path (under /api/v1, such as "/cases/12/accept") with the query and
// JSON body in (nil for none), and decodes the answer into out (nil to discard it).
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	if in == nil {
		return c.Send(ctx, method, path, query, "", nil, out)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("client: encode request: %w", err)
	}
	return c.Send(ctx, method, path, query, "application/json", b, out)
}

// Send is Do with a body of its own media type: a file, a hash list as CSV.
func (c *Client) Send(ctx context.Context, method, path string, query url.Values, contentType string, in []byte, out any) error {
	u := c.BaseURL + "/api/v1" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if contentType != "" {
		body = bytes.NewReader(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return takedown.Errorf(takedown.EINVALID, "bad server address %q: %v", c.BaseURL, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return takedown.Errorf(takedown.EUNAVAILABLE, "cannot reach the server at %s: %v", c.BaseURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return takedown.Errorf(takedown.EUNAVAILABLE, "reading the answer of %s: %v", c.BaseURL, err)
	}
	if resp.StatusCode >= 400 {
		return problemError(resp, b)
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = b
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("client: decode answer of %s %s: %w", method, path, err)
	}
	return nil
}

// problemError turns an error answer into a *takedown.Error.
func problemError(resp *http.Response, body []byte) error {
	var p struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
		Field  string `json:"field"`
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") && json.Unmarshal(body, &p) == nil && p.Code != "" {
		return &takedown.Error{Code: p.Code, Message: p.Detail, Field: p.Field}
	}
	return takedown.Errorf(takedown.CodeForStatus(resp.StatusCode), "the server answered %s", resp.Status)
}
