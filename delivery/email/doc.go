// Package email sends a delivery to an operator by e-mail, through the authority's SMTP
// relay, for the operators that take their deliveries by e-mail.
// A message carries a Message-ID that the caller keeps across retries, so that a receiving
// system can drop a duplicate; Permanent says whether retrying can help.
//
// Credentials are sent only inside TLS: the default mode requires STARTTLS and fails if the
// relay does not offer it, rather than sending in clear.
package email
