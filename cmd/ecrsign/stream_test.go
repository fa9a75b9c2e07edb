package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// names generates n repository names lazily, one a line, and records the peak of the live
// heap while it is read, so that a test can tell whether a command holds its input in memory.
type names struct {
	n, i     int
	measure  bool // sample the live heap (n >= 16)
	pending  []byte
	baseHeap uint64
	peakHeap uint64
}

func newNames(n int) *names {
	return &names{n: n, measure: n >= 16, baseHeap: liveHeap()}
}

// liveHeap returns the bytes of live heap objects, after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func (g *names) Read(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		if len(g.pending) == 0 {
			if g.i == g.n {
				break
			}
			if g.measure && g.i%(g.n/8) == g.n/16 {
				g.peakHeap = max(g.peakHeap, liveHeap())
			}
			b := append(g.pending[:0], "team-"...)
			b = strconv.AppendInt(b, int64(g.i%997), 10)
			b = append(b, "/service-"...)
			b = strconv.AppendInt(b, int64(g.i), 10)
			g.pending = append(b, "/prod\n"...)
			g.i++
		}
		c := copy(p[written:], g.pending)
		g.pending = g.pending[c:]
		written += c
	}
	if written == 0 {
		return 0, io.EOF
	}
	return written, nil
}

// growth is how much the live heap grew over its size before reading, at the peak.
func (g *names) growth() int64 { return int64(g.peakHeap) - int64(g.baseHeap) }

// countingWriter counts bytes and lines written and keeps nothing.
type countingWriter struct{ bytes, lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes += len(p)
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// streamNames is how many names the streaming tests read: about 5 MB, and twice that as
// strings (a fifth of it under the race detector). A command that kept the names, or its
// output, would hold more live heap than streamHeapBound.
var streamNames = map[bool]int{false: 200_000, true: 40_000}[raceEnabled]

const streamHeapBound = 1 << 20

func TestMatchStreamsStdin(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	in := newNames(streamNames)
	var out countingWriter
	var stderr bytes.Buffer
	code := run([]string{"match", "--config", "examples/diff/proposed.json", "--format", "json", "-"}, in, &out, &stderr)
	if code != exitOK || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	if out.lines != streamNames {
		t.Errorf("%d output lines for %d names", out.lines, streamNames)
	}
	t.Logf("live heap grew by %d bytes reading %d names", in.growth(), streamNames)
	if g := in.growth(); g > streamHeapBound {
		t.Errorf("heap grew by %d bytes while streaming %d names (bound %d)", g, streamNames, streamHeapBound)
	}
}

func TestDiffStreamsInventory(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	in := newNames(streamNames)
	var out countingWriter
	var stderr bytes.Buffer
	code := run([]string{"diff", "--old", "examples/diff/current.json", "--new", "examples/diff/proposed.json", "--repositories", "-"}, in, &out, &stderr)
	if code != exitOK || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	// Every name ends in /prod: current signs all with prod_images, and so does proposed;
	// nothing changes, and the summary counts every name.
	if out.lines != 1 {
		t.Errorf("%d output lines, want the summary only", out.lines)
	}
	t.Logf("live heap grew by %d bytes reading %d names", in.growth(), streamNames)
	if g := in.growth(); g > streamHeapBound {
		t.Errorf("heap grew by %d bytes while streaming %d names (bound %d)", g, streamNames, streamHeapBound)
	}
}

func TestDiffProgressOnTerminal(t *testing.T) {
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	t.Chdir(filepath.Join("..", ".."))
	args := []string{"diff", "--old", "examples/diff/current.json", "--new", "examples/diff/proposed.json", "--repositories", "examples/inventory.txt"}

	var stdout, stderr bytes.Buffer
	isTerminal = func(io.Writer) bool { return false }
	if code := run(args, nil, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
		t.Errorf("not a terminal: exit %d, stderr %q; want no progress", code, stderr.String())
	}
	want := stdout.String()

	stdout.Reset()
	isTerminal = func(io.Writer) bool { return true }
	if code := run(args, nil, &stdout, &stderr); code != exitOK {
		t.Errorf("terminal: exit %d", code)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "\rread ") || !strings.Contains(got, " names (") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("terminal: stderr %q; want a progress line, cleared at the end", got)
	}
	if stdout.String() != want {
		t.Errorf("the progress line changed the output:\n%s\nwant:\n%s", stdout.String(), want)
	}
}

func TestIsTerminal(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

// BenchmarkMatchStdin measures match - on generated names, JSON Lines out; ns/op is per name.
func BenchmarkMatchStdin(b *testing.B) {
	benchmarkStream(b, "match", "--config", "examples/diff/proposed.json", "--format", "json", "-")
}

// BenchmarkDiffStdin measures diff on generated names; ns/op is per name.
func BenchmarkDiffStdin(b *testing.B) {
	benchmarkStream(b, "diff", "--old", "examples/diff/current.json", "--new", "examples/diff/proposed.json", "--repositories", "-")
}

func benchmarkStream(b *testing.B, args ...string) {
	b.Chdir(filepath.Join("..", ".."))
	b.ReportAllocs()
	var out countingWriter
	var stderr bytes.Buffer
	in := &names{n: b.N}
	b.ResetTimer()
	if code := run(args, in, &out, &stderr); code != exitOK {
		b.Fatalf("exit %d: %s", code, stderr.String())
	}
}
