package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// The names tfrun's exported classifiers use in their serving_default signature.
const (
	signatureKey   = "serving_default"
	inputText      = "text"          // string [batch]
	inputImages    = "images"        // uint8 [batch, h, w, c]
	outProbability = "probability"   // float32 [batch]
	outLabel       = "label"         // string [batch]
	outClassID     = "class_id"      // int64 [batch]
	outAll         = "probabilities" // float32 [batch, classes], multi-class models only
)

// Limits bound what one request may ask.
type Limits struct {
	MaxBody      int64 // bytes of request body; more is 413
	MaxInstances int   // instances per request; more is 400
	MaxInFlight  int   // requests running the model at once; the others wait their turn
}

// server answers POST /predict with the SavedModel's serving_default signature.
type server struct {
	model  *tf.SavedModel
	limits Limits
	slots  chan struct{}

	text    bool      // a text classifier (else images)
	h, w, c int       // image classifiers: the input's shape
	feed    tf.Output // the signature's input
	fetches []tf.Output
	names   []string // output names, as fetched
}

// newServer checks that model is a classifier tfrun exported (raw text or uint8 images in;
// probability, label and class_id out) and prepares its signature.
func newServer(model *tf.SavedModel, limits Limits) (*server, error) {
	sig, ok := model.Signatures[signatureKey]
	if !ok {
		return nil, fmt.Errorf("the model has no %s signature", signatureKey)
	}
	s := &server{model: model, limits: limits, slots: make(chan struct{}, max(1, limits.MaxInFlight))}
	if ti, ok := sig.Inputs[inputText]; ok && ti.DType == tf.String && len(sig.Inputs) == 1 {
		s.text = true
		s.feed, _ = tensor(model.Graph, ti.Name)
	} else if ti, ok := sig.Inputs[inputImages]; ok && ti.DType == tf.Uint8 && len(sig.Inputs) == 1 {
		dims, err := ti.Shape.ToSlice()
		if err != nil || len(dims) != 4 || dims[1] < 1 || dims[2] < 1 || dims[3] < 1 {
			return nil, fmt.Errorf("images of shape %v: want [batch, height, width, channels]", ti.Shape)
		}
		s.h, s.w, s.c = int(dims[1]), int(dims[2]), int(dims[3])
		s.feed, _ = tensor(model.Graph, ti.Name)
	} else {
		return nil, fmt.Errorf("%s takes %v: want one input, text (string) or images (uint8); is it a classifier exported by tfrun export?", signatureKey, inputNames(sig.Inputs))
	}
	if s.feed.Op == nil {
		return nil, fmt.Errorf("the graph lacks the signature's input")
	}
	for _, name := range []string{outProbability, outLabel, outClassID, outAll} {
		ti, ok := sig.Outputs[name]
		if !ok {
			if name == outAll {
				continue
			}
			return nil, fmt.Errorf("%s has no %q output", signatureKey, name)
		}
		o, err := tensor(model.Graph, ti.Name)
		if err != nil {
			return nil, err
		}
		s.fetches, s.names = append(s.fetches, o), append(s.names, name)
	}
	return s, nil
}

// tensor finds the tensor "op:index" in g.
func tensor(g *tf.Graph, name string) (tf.Output, error) {
	opName, idx, _ := strings.Cut(name, ":")
	i, _ := strconv.Atoi(idx)
	op := g.Operation(opName)
	if op == nil || i < 0 || i >= op.NumOutputs() {
		return tf.Output{}, fmt.Errorf("the graph has no tensor %q", name)
	}
	return op.Output(i), nil
}

func inputNames(m map[string]tf.TensorInfo) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	return names
}

// request is the body of POST /predict, as TensorFlow Serving's REST API spells it:
// {"instances": ["a review", ...]} for a text classifier, {"instances": [[[[0], ...]]]}
// (one [height][width][channels] array of 0–255 per image) for an image classifier.
type request struct {
	Instances []json.RawMessage `json:"instances"`
}

// prediction is one instance's answer: its class, or why it has none.
type prediction struct {
	Probability   *float32  `json:"probability,omitempty"`
	Label         string    `json:"label,omitempty"`
	ClassID       *int64    `json:"class_id,omitempty"`
	Probabilities []float32 `json:"probabilities,omitempty"`
	Error         string    `json:"error,omitempty"`
}

type response struct {
	Predictions []prediction `json:"predictions"`
}

// httpError is a request the server refuses as a whole.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/predict", s.predict)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	return mux
}

// predict is POST /predict: 200 with one prediction per instance (an instance that cannot
// be classified gets an "error" and the others are answered), or a 4xx with {"error"}
// for a request that is refused whole: not POST (405), a body over the limit (413),
// malformed JSON or too many instances (400).
func (s *server) predict(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, &httpError{http.StatusMethodNotAllowed, "use POST with a JSON body {\"instances\": [...]}"})
		return
	}
	req, err := s.decode(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-r.Context().Done():
		return
	}
	preds, err := s.classify(r.Context(), req.Instances)
	if err != nil {
		writeError(w, &httpError{http.StatusInternalServerError, err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, response{Predictions: preds})
}

// decode reads and checks the request body.
func (s *server) decode(w http.ResponseWriter, r *http.Request) (*request, error) {
	body := http.MaxBytesReader(w, r.Body, s.limits.MaxBody)
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", s.limits.MaxBody)}
		}
		return nil, &httpError{http.StatusBadRequest, "reading the request body: " + err.Error()}
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	var req request
	if err := dec.Decode(&req); err != nil {
		return nil, &httpError{http.StatusBadRequest, "malformed JSON: " + err.Error() + ` (want {"instances": [...]})`}
	}
	if dec.More() {
		return nil, &httpError{http.StatusBadRequest, "malformed JSON: data after the request object"}
	}
	if req.Instances == nil {
		return nil, &httpError{http.StatusBadRequest, `no "instances" list (want {"instances": [...]})`}
	}
	if len(req.Instances) > s.limits.MaxInstances {
		return nil, &httpError{http.StatusBadRequest, fmt.Sprintf("%d instances: at most %d per request", len(req.Instances), s.limits.MaxInstances)}
	}
	return &req, nil
}

// classify runs the model once on the instances that decode, and gives the others their
// error.
func (s *server) classify(ctx context.Context, instances []json.RawMessage) ([]prediction, error) {
	preds := make([]prediction, len(instances))
	var ok []int
	var texts []string
	var pixels []uint8
	for i, raw := range instances {
		var err error
		if s.text {
			var t string
			if t, err = decodeText(raw); err == nil {
				texts = append(texts, t)
			}
		} else {
			var px []uint8
			if px, err = s.decodeImage(raw); err == nil {
				pixels = append(pixels, px...)
			}
		}
		if err != nil {
			preds[i].Error = err.Error()
			continue
		}
		ok = append(ok, i)
	}
	if len(ok) == 0 || ctx.Err() != nil {
		return preds, nil
	}
	var feed *tf.Tensor
	var err error
	if s.text {
		feed, err = tf.NewTensor(texts)
	} else {
		feed, err = tf.NewTensor(pixels)
		if err == nil {
			err = feed.Reshape([]int64{int64(len(ok)), int64(s.h), int64(s.w), int64(s.c)})
		}
	}
	if err != nil {
		return nil, err
	}
	out, err := s.model.Session.Run(map[tf.Output]*tf.Tensor{s.feed: feed}, s.fetches, nil)
	if err != nil {
		return nil, fmt.Errorf("running the model: %v", err)
	}
	for f, name := range s.names {
		for k, i := range ok {
			p := &preds[i]
			switch v := graphs.Value(out[f]).(type) {
			case []float32:
				p.Probability = &v[k]
			case []string:
				p.Label = v[k]
			case []int64:
				p.ClassID = &v[k]
			case [][]float32:
				if name == outAll {
					p.Probabilities = v[k]
				}
			}
		}
	}
	return preds, nil
}

// decodeText reads a text instance: a JSON string of valid UTF-8. The raw bytes are
// checked first, because encoding/json would quietly turn bad bytes into U+FFFD.
func decodeText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("want a string (the text), got %s", clip(raw))
	}
	if !utf8.Valid(raw) {
		return "", errors.New("the text is not valid UTF-8")
	}
	var t string
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", fmt.Errorf("bad string: %v", err)
	}
	return t, nil
}

// decodeImage reads an image instance: [height][width][channels] integers in 0..255.
func (s *server) decodeImage(raw json.RawMessage) ([]uint8, error) {
	var img [][][]int
	if err := json.Unmarshal(raw, &img); err != nil {
		return nil, fmt.Errorf("want an image as [height][width][channels] integers 0–255: %v", err)
	}
	px := make([]uint8, 0, s.h*s.w*s.c)
	if len(img) != s.h {
		return nil, fmt.Errorf("the image has %d rows, the model takes %d×%d×%d", len(img), s.h, s.w, s.c)
	}
	for y, row := range img {
		if len(row) != s.w {
			return nil, fmt.Errorf("row %d has %d pixels, the model takes %d×%d×%d", y, len(row), s.h, s.w, s.c)
		}
		for x, p := range row {
			if len(p) != s.c {
				return nil, fmt.Errorf("pixel (%d, %d) has %d channels, the model takes %d", y, x, len(p), s.c)
			}
			for _, v := range p {
				if v < 0 || v > 255 {
					return nil, fmt.Errorf("pixel (%d, %d) has value %d, want 0–255", y, x, v)
				}
				px = append(px, uint8(v))
			}
		}
	}
	return px, nil
}

// clip shortens a JSON value for a message.
func clip(raw json.RawMessage) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

func writeError(w http.ResponseWriter, err error) {
	code := http.StatusBadRequest
	var he *httpError
	if errors.As(err, &he) {
		code = he.code
	}
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
