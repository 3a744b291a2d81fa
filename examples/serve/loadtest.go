package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// sampleReviews are what -bench sends a text classifier.
var sampleReviews = []string{
	"A wonderful, moving film.<br /><br />The cast is superb and the ending stayed with me for days.",
	"Dull, predictable and far too long. I wanted my two hours back.",
	"Not bad, not great: a decent way to spend a rainy Sunday afternoon.",
	"The worst movie I have seen this year; the plot makes no sense at all!",
	"Brilliant direction, a haunting score, and performances that feel completely real.",
	"I laughed, I cried, I loved every minute of it. 10/10.",
	"Cheap effects and wooden acting sink what could have been a fun B-movie.",
	"An ambitious mess: beautiful to look at, impossible to care about.",
}

// sampleRequest is a request body of n instances for the served model.
func (s *server) sampleRequest(n int) []byte {
	instances := make([]any, n)
	for i := range instances {
		if s.text {
			instances[i] = sampleReviews[i%len(sampleReviews)]
			continue
		}
		img := make([][][]int, s.h)
		for y := range img {
			img[y] = make([][]int, s.w)
			for x := range img[y] {
				img[y][x] = make([]int, s.c)
				for c := range img[y][x] {
					img[y][x][c] = (x*7 + y*13 + c*29 + i*31) % 256
				}
			}
		}
		instances[i] = img
	}
	b, _ := json.Marshal(map[string]any{"instances": instances})
	return b
}

// loadTest sends requests POSTs of body to url from workers concurrent clients (after one
// warm-up request), each
// waiting for its answer before sending the next (a closed loop: the load is bounded by
// the number of clients), and measures the latencies. A request fails when it does not
// return 200 with a prediction without "error" for every instance.
func loadTest(url string, body []byte, workers, requests int) (stats, error) {
	var n struct{ Instances []json.RawMessage }
	if err := json.Unmarshal(body, &n); err != nil {
		return stats{}, err
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	// One request first, not measured: TensorFlow prepares the signature's subgraph on
	// its first run.
	if err := post(client, url, body, len(n.Instances)); err != nil {
		return stats{}, fmt.Errorf("the warm-up request: %w", err)
	}
	jobs := make(chan struct{}, requests)
	for range requests {
		jobs <- struct{}{}
	}
	close(jobs)
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t0 := time.Now()
				err := post(client, url, body, len(n.Instances))
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					failed++
					if firstErr == nil {
						firstErr = err
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	st := stats{requests: requests, failed: failed, elapsed: time.Since(start)}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	st.p50, st.p99, st.max = pct(0.50), pct(0.99), lat[len(lat)-1]
	if firstErr != nil {
		return st, fmt.Errorf("%d of %d requests failed, the first: %w", failed, requests, firstErr)
	}
	return st, nil
}

// post sends one request and checks its answer.
func post(client *http.Client, url string, body []byte, instances int) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, data)
	}
	var r response
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	if len(r.Predictions) != instances {
		return fmt.Errorf("%d predictions for %d instances", len(r.Predictions), instances)
	}
	for _, p := range r.Predictions {
		if p.Error != "" || p.Probability == nil {
			return fmt.Errorf("prediction %+v", p)
		}
	}
	return nil
}
