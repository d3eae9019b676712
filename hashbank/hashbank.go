// Package hashbank matches hashes against the banks: an in-memory matcher over every active
// entry (PDQ within each bank's radius, through package index; MD5 and SHA-256 exactly),
// kept up to date from the store's change sequence, and the hashing of submitted files. The
// rules about banks (who changes them, what is audited) are in casework.
package hashbank

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/pdq"
)

// HashFile returns the hashes of a file: SHA-256 and MD5 of its bytes and, when it is an
// image the pdq package decodes, its PDQ hash at full resolution (the profile of the hashes
// industry banks hold) with its quality and dihedral variants. A file that is not an image,
// or whose image is refused (too large, corrupt), still has its digests; NotImage says why
// it has no PDQ hash.
func HashFile(name string, data []byte) takedown.ImageHashes {
	s, m := sha256.Sum256(data), md5.Sum(data)
	h := takedown.ImageHashes{Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(s[:]), MD5: hex.EncodeToString(m[:])}
	img, format, err := pdq.Decode(bytes.NewReader(data), pdq.Limits{MaxBytes: takedown.MaxReportFileSize})
	h.Format = format
	if err != nil {
		h.NotImage = notImage(err)
		return h
	}
	variants, quality, err := pdq.Dihedral(img, pdq.FullResolution)
	if err != nil {
		h.NotImage = err.Error()
		return h
	}
	h.PDQ, h.Quality = variants[0].String(), &quality
	for _, v := range variants {
		h.Dihedral = append(h.Dihedral, v.String())
	}
	return h
}

// notImage words a decoding error for the person who sent the file.
func notImage(err error) string {
	switch {
	case errors.Is(err, pdq.ErrUnsupportedFormat):
		return "not an image in a format the server reads (JPEG, PNG, GIF, WebP, BMP, TIFF)"
	case errors.Is(err, pdq.ErrTooLarge):
		return "the image is too large to hash: " + err.Error()
	}
	return "the image could not be decoded: " + err.Error()
}

// Values returns the hashes a file's hashes are matched and stored as: its PDQ hash (when it
// has one) first, then its digests.
func Values(h takedown.ImageHashes) []takedown.HashValue {
	var out []takedown.HashValue
	if h.PDQ != "" {
		out = append(out, takedown.HashValue{Type: takedown.HashPDQ, Value: h.PDQ, Quality: h.Quality})
	}
	return append(out, takedown.HashValue{Type: takedown.HashSHA256, Value: h.SHA256}, takedown.HashValue{Type: takedown.HashMD5, Value: h.MD5})
}
