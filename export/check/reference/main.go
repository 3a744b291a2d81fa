// Command reference writes what make export-check compares Python TensorFlow's answers
// with, computed by tfrun itself:
//
//	reference reviews -n 500 -out reviews.txt           # real IMDB test reviews, one per line
//	reference reviews-csv -n 2000 -out reviews.csv -inputs 300 -inputs-out in.jsonl
//	                                                     # IMDB train reviews as a CSV of several
//	                                                     # columns, test reviews as JSON inputs
//	reference images -dataset mnist -n 20 -out DIR       # test images as PNG files
//	reference gan -config FILE -run DIR -n 8 -out F.json # the run's own generator's images
//
// gan draws noise from a seed and, for each class of a conditional GAN (or once for an
// unconditional one), the images tfrun's generator makes of it (gan.Load, then Generate:
// the training graph's sample path, not the exported signature), as generate's PNGs hold
// them (round((v + 1) / 2 · 255)).
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/gan"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: reference reviews|images|gan [flags]"))
	}
	var err error
	switch os.Args[1] {
	case "reviews":
		err = reviews(os.Args[2:])
	case "reviews-csv":
		err = reviewsCSV(os.Args[2:])
	case "images":
		err = images(os.Args[2:])
	case "gan":
		err = ganImages(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q (reviews, reviews-csv, images, gan)", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "reference: %v\n", err)
	os.Exit(1)
}

// reviews writes n IMDB test reviews (every 25000/n-th, so both labels come), one per
// line, after a few texts that probe the tokenizer's corners.
func reviews(args []string) error {
	fs := flag.NewFlagSet("reviews", flag.ExitOnError)
	n := fs.Int("n", 500, "how many reviews")
	out := fs.String("out", "", "the file to write")
	fs.Parse(args)
	path, err := datasets.Locate("imdb", "")
	if err != nil {
		return err
	}
	_, test, err := datasets.LoadIMDBText(path)
	if err != nil {
		return err
	}
	lines := []string{
		"",
		"A wonderful, moving film.<br /><br />LOVED it!!! 10/10",
		"Naïve, clichéd, déjà vu: the café scene ÉCHOUE. ΟΔΟΣ ΣΑΣ. İstanbul. Straße. 日本の映画 🎬",
		"   spaces\tand\ttabs   between   words   ",
		"<BR>caps<Br />tags<br/>everywhere<br",
	}
	step := max(1, len(test)/max(1, *n))
	for i := 0; i < len(test) && len(lines) < *n+5; i += step {
		if t := test[i].Text; !strings.ContainsAny(t, "\r\n") {
			lines = append(lines, t)
		}
	}
	return os.WriteFile(*out, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// reviewsCSV writes n IMDB train reviews (every 25000/n-th) as a CSV of a model fed by
// name: words and exclamations (numeric columns: the review's word and "!" counts),
// review (the text), sentiment (negative, positive) and stars (the reviewer's rating,
// 1–10); and m test reviews as tfrun predict's JSON input lines,
// {"numbers": [words, exclamations], "review": text}, after texts that probe the
// tokenizer's corners.
func reviewsCSV(args []string) error {
	fs := flag.NewFlagSet("reviews-csv", flag.ExitOnError)
	n := fs.Int("n", 2000, "how many train reviews in the CSV")
	out := fs.String("out", "", "the CSV to write")
	m := fs.Int("inputs", 300, "how many test reviews as JSON inputs")
	inputsOut := fs.String("inputs-out", "", "the JSON lines to write")
	fs.Parse(args)
	path, err := datasets.Locate("imdb", "")
	if err != nil {
		return err
	}
	train, test, err := datasets.LoadIMDBText(path)
	if err != nil {
		return err
	}
	numbers := func(t string) []float64 {
		return []float64{float64(len(strings.Fields(t))), float64(strings.Count(t, "!"))}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"words", "exclamations", "review", "sentiment", "stars"})
	for i, k := 0, 0; i < len(train) && k < *n; i, k = i+max(1, len(train) / *n), k+1 {
		r := train[i]
		x := numbers(r.Text)
		w.Write([]string{fmt.Sprint(x[0]), fmt.Sprint(x[1]), r.Text, []string{"negative", "positive"}[r.Label], fmt.Sprint(r.Rating)})
	}
	w.Flush()
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	texts := []string{"", "A wonderful, moving film.<br /><br />LOVED it!!! 10/10",
		"Naïve, clichéd, déjà vu: the café scene ÉCHOUE. ΟΔΟΣ ΣΑΣ. İstanbul. Straße. 日本の映画 🎬"}
	for i := 0; i < len(test) && len(texts) < *m+3; i += max(1, len(test) / *m) {
		texts = append(texts, test[i].Text)
	}
	var lines []string
	for _, t := range texts {
		line, err := json.Marshal(map[string]any{"numbers": numbers(t), "review": t})
		if err != nil {
			return err
		}
		lines = append(lines, string(line))
	}
	return os.WriteFile(*inputsOut, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// images writes n test images of an image data set as PNG files <out>/<i>_<label>.png.
func images(args []string) error {
	fs := flag.NewFlagSet("images", flag.ExitOnError)
	dataset := fs.String("dataset", "mnist", "the data set")
	n := fs.Int("n", 20, "how many images")
	out := fs.String("out", "", "the directory to write")
	fs.Parse(args)
	s, err := datasets.LoadScaledImages(*dataset, "", true, *n)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	size := s.Height * s.Width * s.Channels
	for i := range s.Len() {
		px := s.Pixels[i*size : (i+1)*size]
		var img image.Image
		if s.Channels == 1 {
			g := image.NewGray(image.Rect(0, 0, s.Width, s.Height))
			for k, v := range px {
				g.Pix[k] = toByte(v)
			}
			img = g
		} else {
			c := image.NewNRGBA(image.Rect(0, 0, s.Width, s.Height))
			for k := 0; k < s.Height*s.Width; k++ {
				c.Set(k%s.Width, k/s.Width, color.NRGBA{toByte(px[3*k]), toByte(px[3*k+1]), toByte(px[3*k+2]), 255})
			}
			img = c
		}
		f, err := os.Create(filepath.Join(*out, fmt.Sprintf("%03d_%d.png", i, s.Labels[i])))
		if err != nil {
			return err
		}
		err = png.Encode(f, img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ganReference is the JSON gan writes.
type ganReference struct {
	Checkpoint string      `json:"checkpoint"`
	Shape      []int       `json:"shape"` // [height, width, channels]
	Noise      [][]float32 `json:"noise"`
	ClassID    []int32     `json:"class_id,omitempty"`
	Images     [][]uint8   `json:"images"` // flat NHWC bytes, one row per noise/class pair
}

func ganImages(args []string) error {
	fs := flag.NewFlagSet("gan", flag.ExitOnError)
	config := fs.String("config", "", "the GAN's config")
	runDir := fs.String("run", "", "its run directory")
	n := fs.Int("n", 8, "noise vectors (each drawn for every class)")
	seed := fs.Int64("seed", 7, "the noise's seed")
	out := fs.String("out", "", "the JSON file to write")
	fs.Parse(args)
	cfg, err := configs.Load(*config)
	if err != nil {
		return err
	}
	m, prefix, err := gan.Load(cfg, *runDir, 1)
	if err != nil {
		return err
	}
	defer m.Close()
	gc := cfg.GAN()
	noise := gan.NormalNoise(*n*gc.NoiseDim, *seed)
	classes := max(1, gc.NumClasses)
	ref := ganReference{Checkpoint: prefix, Shape: m.Generator.OutputShape()}
	var flat []float32
	var labels []int32
	for c := range classes {
		for i := range *n {
			v := noise[i*gc.NoiseDim : (i+1)*gc.NoiseDim]
			ref.Noise = append(ref.Noise, v)
			flat = append(flat, v...)
			labels = append(labels, int32(c))
		}
	}
	if gc.Conditional() {
		ref.ClassID = labels
	}
	imgs, err := m.Generate(flat, labels)
	if err != nil {
		return err
	}
	size := len(imgs) / len(labels)
	for k := range labels {
		b := make([]uint8, size)
		for j, v := range imgs[k*size : (k+1)*size] {
			b[j] = toByte(v)
		}
		ref.Images = append(ref.Images, b)
	}
	data, err := json.Marshal(ref)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, data, 0o644)
}

// toByte is plots' pixel of a tanh value: round((v + 1) / 2 · 255), clamped, NaN → 0.
func toByte(v float32) uint8 {
	f := (float64(v) + 1) / 2 * 255
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= 255:
		return 255
	}
	return uint8(math.Round(f))
}
