package datasets

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Review is one labelled review of the IMDB Large Movie Review data set v1.0
// (Maas et al., ACL 2011, https://ai.stanford.edu/~amaas/data/sentiment/).
type Review struct {
	// Text is the raw UTF-8 review, including its "<br />" tags.
	Text string
	// Label is 0 for a negative review (folder neg/, rating 1–4) and 1 for a
	// positive one (folder pos/, rating 7–10).
	Label int
	// ID is the <id> of the member name <id>_<rating>.txt, unique within a folder.
	ID int
	// Rating is the reviewer's star rating, 1–10, from the member name.
	Rating int
}

// imdbMaxReviewBytes bounds the size of one review file; the largest real one is
// about 14 kB, so anything bigger is a corrupt archive rather than a review.
const imdbMaxReviewBytes = 1 << 20

// imdbSplits and imdbFolders are the labelled parts of the data set, in load order;
// a folder's position in imdbFolders is its label.
var (
	imdbSplits  = [...]string{"train", "test"}
	imdbFolders = [...]string{"neg", "pos"}
)

// LoadIMDBText reads the labelled part of IMDB Large Movie Review v1.0.
//
// path is either the official archive aclImdb_v1.tar.gz (read as a stream, never
// extracted; a plain .tar works too), a directory containing aclImdb/, or the
// aclImdb/ directory itself. Only aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt
// are read; unsup/, *.feat, README, imdb.vocab and the URL lists are ignored.
//
// Order: within each split, all negative reviews by ascending ID, then all
// positive reviews by ascending ID — the same on every run whatever the archive
// or directory order. keras.datasets.imdb instead shuffles (seed 113); use
// [Shuffle] for a random order.
//
// It fails with ErrFormat on a corrupt archive, a badly named review file, a
// rating outside its folder's range (neg 1–4, pos 7–10) or a duplicate ID, and
// with ErrNotFound when any of the four folders holds no review.
func LoadIMDBText(path string) (train, test []Review, err error) {
	const op = "load IMDB"
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, wrapIOError(op, path, err)
	}
	var parts imdbParts
	if fi.IsDir() {
		err = parts.readDir(path)
	} else {
		err = parts.readArchive(path)
	}
	if err != nil {
		return nil, nil, wrapIOError(op, path, err)
	}
	if err := parts.check(); err != nil {
		return nil, nil, &Error{Op: op, Path: path, Err: err}
	}
	return parts.reviews[0], parts.reviews[1], nil
}

// imdbParts collects reviews per split (0 train, 1 test) while reading.
type imdbParts struct {
	reviews [len(imdbSplits)][]Review
}

// add parses a member's location and, if it is a labelled review, stores it with
// text read from r. rel is the path below aclImdb/, using "/" separators.
func (p *imdbParts) add(rel string, size int64, r io.Reader) error {
	split, label, id, rating, ok, err := parseIMDBName(rel)
	if err != nil || !ok {
		return err
	}
	if size > imdbMaxReviewBytes {
		return fmt.Errorf("%w: member aclImdb/%s is %d bytes, more than the %d a review may have", ErrFormat, rel, size, imdbMaxReviewBytes)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("%w: reading member aclImdb/%s: %w", ErrFormat, rel, err)
	}
	p.reviews[split] = append(p.reviews[split], Review{Text: string(buf), Label: label, ID: id, Rating: rating})
	return nil
}

// readArchive streams a (gzipped) tar archive.
func (p *imdbParts) readArchive(path string) error {
	return walkTar(path, func(name string, size int64, r io.Reader) error {
		rel, ok := strings.CutPrefix(name, "aclImdb/")
		if !ok {
			return nil
		}
		return p.add(rel, size, r)
	})
}

// readDir reads an extracted tree: dir is aclImdb/ itself or contains it.
func (p *imdbParts) readDir(dir string) error {
	root := dir
	if isDir(filepath.Join(dir, "aclImdb")) {
		root = filepath.Join(dir, "aclImdb")
	}
	for _, split := range imdbSplits {
		for _, folder := range imdbFolders {
			sub := filepath.Join(root, split, folder)
			entries, err := os.ReadDir(sub)
			if err != nil {
				return fmt.Errorf("%w: %w (want aclImdb/{train,test}/{neg,pos}/ under %s)", ErrNotFound, err, dir)
			}
			for _, e := range entries {
				if !e.Type().IsRegular() {
					continue
				}
				if err := p.addFile(split+"/"+folder+"/"+e.Name(), filepath.Join(sub, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// addFile adds one review file of an extracted tree.
func (p *imdbParts) addFile(rel, file string) error {
	if _, _, _, _, ok, err := parseIMDBName(rel); err != nil || !ok {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return p.add(rel, fi.Size(), f)
}

// check sorts each split (neg before pos, then by ID) and rejects duplicates and
// empty folders.
func (p *imdbParts) check() error {
	var counts [len(imdbSplits)][len(imdbFolders)]int
	for s := range p.reviews {
		rs := p.reviews[s]
		slices.SortFunc(rs, func(a, b Review) int {
			if a.Label != b.Label {
				return a.Label - b.Label
			}
			return a.ID - b.ID
		})
		for i, r := range rs {
			counts[s][r.Label]++
			if i > 0 && rs[i-1].Label == r.Label && rs[i-1].ID == r.ID {
				return fmt.Errorf("%w: two reviews with id %d in aclImdb/%s/%s/", ErrFormat, r.ID, imdbSplits[s], imdbFolders[r.Label])
			}
		}
	}
	var empty []string
	for s, split := range imdbSplits {
		for l, folder := range imdbFolders {
			if counts[s][l] == 0 {
				empty = append(empty, "aclImdb/"+split+"/"+folder+"/")
			}
		}
	}
	if len(empty) > 0 {
		return fmt.Errorf("%w: no reviews (<id>_<rating>.txt) in %s", ErrNotFound, strings.Join(empty, ", "))
	}
	return nil
}

// parseIMDBName recognises rel = "<split>/<folder>/<id>_<rating>.txt" (relative to
// aclImdb/). ok is false for anything that is not in a labelled folder or not a
// .txt file; a .txt file in a labelled folder with a malformed name or a rating
// outside the folder's range is an error.
func parseIMDBName(rel string) (split, label, id, rating int, ok bool, err error) {
	parts := strings.Split(rel, "/")
	if len(parts) != 3 || !strings.HasSuffix(parts[2], ".txt") {
		return 0, 0, 0, 0, false, nil
	}
	split = slices.Index(imdbSplits[:], parts[0])
	label = slices.Index(imdbFolders[:], parts[1])
	if split < 0 || label < 0 {
		return 0, 0, 0, 0, false, nil
	}
	stem := strings.TrimSuffix(parts[2], ".txt")
	idText, ratingText, found := strings.Cut(stem, "_")
	id, errID := strconv.Atoi(idText)
	rating, errRating := strconv.Atoi(ratingText)
	if !found || errID != nil || errRating != nil || id < 0 {
		return 0, 0, 0, 0, false, fmt.Errorf("%w: member aclImdb/%s: name is not <id>_<rating>.txt with non-negative integers", ErrFormat, rel)
	}
	lo, hi := 1, 4
	if label == 1 {
		lo, hi = 7, 10
	}
	if rating < lo || rating > hi {
		return 0, 0, 0, 0, false, fmt.Errorf("%w: member aclImdb/%s: rating %d outside %d–%d of folder %s/", ErrFormat, rel, rating, lo, hi, parts[1])
	}
	return split, label, id, rating, true, nil
}
