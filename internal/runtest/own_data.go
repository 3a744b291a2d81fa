package runtest

// This file writes small labelled folders of texts and images and CSV tables for the
// tests of tfrun's own-data sources: data a tiny model learns in a few steps.

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// OwnTexts writes dir/<class>/<i>.txt, n texts per class: words of the class's own list
// mixed with shared filler words.
func OwnTexts(t testing.TB, dir string, classes map[string][]string, n int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	filler := []string{"the", "a", "movie", "film", "was", "and", "it", "plot", "actor", "scene"}
	for class, words := range classes {
		for i := range n {
			var b strings.Builder
			for range 12 {
				if r.IntN(3) == 0 {
					b.WriteString(words[r.IntN(len(words))])
				} else {
					b.WriteString(filler[r.IntN(len(filler))])
				}
				b.WriteString(" ")
			}
			write(t, filepath.Join(dir, class, fmt.Sprintf("%d_%d.txt", i, r.IntN(10))), []byte(b.String()))
		}
	}
}

// OwnImages writes dir/<class>/<i>.png, n size×size RGB images per class: noise around the
// class's colour.
func OwnImages(t testing.TB, dir string, classes map[string]color.RGBA, n, size int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 2))
	for class, c := range classes {
		for i := range n {
			img := image.NewRGBA(image.Rect(0, 0, size, size))
			for y := range size {
				for x := range size {
					j := func(v uint8) uint8 { return uint8(min(255, max(0, int(v)+r.IntN(61)-30))) }
					img.SetRGBA(x, y, color.RGBA{j(c.R), j(c.G), j(c.B), 255})
				}
			}
			p := filepath.Join(dir, class, fmt.Sprintf("img_%03d.png", i))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// IrisLike writes a CSV of n rows: features x1..x4 and a string label among three
// species, each a cluster in feature space (a synthetic stand-in for the iris table).
func IrisLike(t testing.TB, path string, n int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 3))
	species := []string{"setosa", "versicolor", "virginica"}
	var b strings.Builder
	b.WriteString("x1,x2,species,x3,x4\n")
	for i := range n {
		k := i % 3
		f := func(c float64) float64 { return c + r.NormFloat64()*0.3 }
		fmt.Fprintf(&b, "%.3f,%.3f,%s,%.3f,%.3f\n", f(5+float64(k)), f(100-10*float64(k)), species[k], f(float64(k)), f(-2*float64(k)))
	}
	write(t, path, []byte(b.String()))
}

// write writes a file, creating its folder.
func write(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
