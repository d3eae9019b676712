package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/pdq"
)

// pdqCommands compute PDQ hashes of local files, so that an analyst can check an image
// against a hash list, or give a hash to a partner, without a server.
func pdqCommands() []command {
	return []command{
		{"pdq hash", "print the PDQ hash and quality of image files (JPEG, PNG, GIF, WebP, BMP, TIFF)", runPDQHash},
	}
}

func runPDQHash(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "pdq hash", "[--dihedral] [--profile full|squash] FILE...")
	dihedral := fs.Bool("dihedral", false, "print the 8 hashes of the image's rotations and flips (original, rot90 ccw, rot180, rot90 cw, flip top-bottom, mirror, transpose, anti-transpose)")
	profileName := fs.String("profile", "full", "full: every pixel, as HMA and python-threatexchange hash; squash: images over 512 px squashed to 512×512 first, as Meta's pdq-photo-hasher does")
	files, err := parse(fs, args, -1)
	if err != nil {
		return err
	}
	var profile pdq.Profile
	switch *profileName {
	case "full":
		profile = pdq.FullResolution
	case "squash":
		profile = pdq.Squash512
	default:
		return takedown.Invalid("profile", "is %q; want full or squash", *profileName)
	}
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	failed := 0
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := pdqLine(name, profile, *dihedral)
		if err != nil {
			fmt.Fprintf(e.stderr, "takedown: pdq hash: %s: %v\n", name, err)
			failed++
			continue
		}
		fmt.Fprintln(e.stdout, line)
	}
	if failed > 0 {
		return takedown.Errorf(takedown.EINVALID, "%d of %d files could not be hashed", failed, len(files))
	}
	return nil
}

// pdqLine hashes one file and returns its output line: HASH QUALITY FILENAME, or the 8
// dihedral hashes in place of HASH.
func pdqLine(name string, profile pdq.Profile, dihedral bool) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	img, _, err := pdq.Decode(f, pdq.Limits{})
	if err != nil {
		return "", err
	}
	if !dihedral {
		h, q, err := pdq.FromImage(img, profile)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %d %s", h, q, name), nil
	}
	hs, q, err := pdq.Dihedral(img, profile)
	if err != nil {
		return "", err
	}
	texts := make([]string, len(hs))
	for i, h := range hs {
		texts[i] = h.String()
	}
	return fmt.Sprintf("%s %d %s", strings.Join(texts, " "), q, name), nil
}
