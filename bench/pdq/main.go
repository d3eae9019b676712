// Command pdq measures PDQ hashing the way Meta's reference benchmark-photo-hasher does, so
// the two can be run side by side on the same folder: it hashes every image of the folder
// (over and over until -n hashes), times the decoding and the hashing apart, and prints
// photos hashed per second and photos read per second.
//
// Usage: go run ./bench/pdq [-n 0] [-dihedral] [-profile squash|full] FOLDER
//
// The reference squashes images over 512 px to 512×512 before hashing: -profile squash (the
// default) does the same, so the hashing core works on the same pixels.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/takedown-project/takedown/pdq"
)

func main() {
	n := flag.Int("n", 0, "total hashes to compute, cycling over the folder's images (0: one per image)")
	dihedral := flag.Bool("dihedral", false, "compute the 8 dihedral hashes of each image")
	profile := flag.String("profile", "squash", "squash (as the reference tool) or full")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/pdq [-n N] [-dihedral] [-profile squash|full] FOLDER")
		os.Exit(2)
	}
	p := pdq.Squash512
	if *profile == "full" {
		p = pdq.FullResolution
	}
	entries, err := os.ReadDir(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var files [][]byte
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(flag.Arg(0), e.Name())); err == nil && !e.IsDir() {
			files = append(files, b)
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "no files in", flag.Arg(0))
		os.Exit(1)
	}
	total := *n
	if total == 0 {
		total = len(files)
	}
	var read, hashing time.Duration
	errors := 0
	for i := range total {
		started := time.Now()
		img, _, err := pdq.Decode(bytes.NewReader(files[i%len(files)]), pdq.Limits{})
		read += time.Since(started)
		if err != nil {
			errors++
			continue
		}
		started = time.Now()
		if *dihedral {
			_, _, err = pdq.Dihedral(img, p)
		} else {
			_, _, err = pdq.FromImage(img, p)
		}
		hashing += time.Since(started)
		if err != nil {
			errors++
		}
	}
	hashed := total - errors
	fmt.Printf("PHOTO COUNT:                 %d\n", hashed)
	fmt.Printf("ERROR COUNT:                 %d\n", errors)
	fmt.Printf("TIME SPENT HASHING (SECONDS): %.6f\n", hashing.Seconds())
	fmt.Printf("PHOTOS HASHED PER SECOND:    %.2f\n", float64(hashed)/hashing.Seconds())
	fmt.Printf("TIME SPENT READING (SECONDS): %.6f\n", read.Seconds())
	fmt.Printf("PHOTOS READ PER SECOND:      %.2f\n", float64(total)/read.Seconds())
}
