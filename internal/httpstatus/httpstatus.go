// Package httpstatus remembers the status a handler wrote, for the metrics of the API and
// the console.
package httpstatus

import "net/http"

// Writer is a ResponseWriter that remembers the status written (200 when none is).
type Writer struct {
	http.ResponseWriter
	Status int
}

// New wraps w.
func New(w http.ResponseWriter) *Writer { return &Writer{ResponseWriter: w, Status: http.StatusOK} }

// WriteHeader records the status and writes it.
func (w *Writer) WriteHeader(code int) {
	w.Status = code
	w.ResponseWriter.WriteHeader(code)
}
