package ecrhttp

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// TestLimitListener: past n open connections, Accept waits until one closes.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(inner, 1).(*limitedListener)
	defer ln.Close()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	defer dial().Close()
	defer dial().Close()
	first, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if len(ln.slots) != cap(ln.slots) {
		t.Fatalf("%d of %d slots taken after one connection", len(ln.slots), cap(ln.slots))
	}
	accepted := make(chan net.Conn)
	go func() {
		c, _ := ln.Accept() // waits for the slot
		accepted <- c
	}()
	first.Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(time.Minute):
		t.Fatal("closing a connection did not let the next one in")
	}
}

// TestRequestCap: with every slot taken, a request waits; one whose client gives up is not
// served; once a slot frees, requests are served again.
func TestRequestCap(t *testing.T) {
	world := sim.New()
	h := newHandler(world, newConfig([]Option{WithMaxConcurrentRequests(1)}))
	create := func(ctx context.Context) *httptest.ResponseRecorder {
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", strings.NewReader(`{"repositoryName":"app"}`))
		r.Header.Set("X-Amz-Target", TargetPrefix+"CreateRepository")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	h.requests <- struct{}{} // the one slot, taken
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if w := create(gone); w.Body.Len() != 0 {
		t.Fatalf("a request beyond the cap was served: HTTP %d %s", w.Code, w.Body)
	}
	<-h.requests
	if w := create(context.Background()); w.Code != http.StatusOK {
		t.Fatalf("with a free slot: HTTP %d %s (the request beyond the cap changed the world?)", w.Code, w.Body)
	}
}

// TestBodyBudget: a body that does not fit in what is left of the budget waits until bytes
// are given back, or until its request ends.
func TestBodyBudget(t *testing.T) {
	b := newBudget(100)
	if err := b.acquire(context.Background(), 80); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.acquire(gone, 30); err == nil {
		t.Fatal("a reservation past the budget was granted")
	}
	done := make(chan error)
	go func() { done <- b.acquire(context.Background(), 30) }()
	b.release(80)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("giving bytes back did not let the waiting reservation through")
	}
}

// TestTimeouts: regression: clients that never read GET /_ecrsign/world pinned the world in
// memory, with no WriteTimeout; slow headers held connections. Serve's server drops a
// connection that sends its headers too slowly and one that does not read its answer.
func TestTimeouts(t *testing.T) {
	world := sim.New(sim.WithOptions(sim.Options{CreateRepositoryOnPush: true}))
	c := world.Client(sim.Caller{})
	big := strings.Repeat("x", 1<<20)
	for i := range 16 { // a world file of 16 MiB and more
		m := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:` + strings.Repeat(string(rune('a'+i)), 64) + `","size":2},"layers":[],"annotations":{"x":"` + big + `"}}`
		if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "app", ImageManifest: m}); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(world, newConfig([]Option{WithTimeouts(Timeouts{ReadHeader: 200 * time.Millisecond, Read: time.Second, Write: 500 * time.Millisecond, Idle: time.Second})}))
	h := srv.Handler.(*handler)
	go srv.Serve(ln)
	defer srv.Close()
	slow, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.Write([]byte("GET /_ecrsign/world HTTP/1.1\r\nHost: x\r\n")) // and never the end of the headers
	slow.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := bufio.NewReader(slow).ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("headers never finished: the server kept the connection a minute (%v)", err)
	}

	reader, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	reader.Write([]byte("GET /_ecrsign/world HTTP/1.1\r\nHost: " + ln.Addr().String() + "\r\n\r\n"))
	// The client reads nothing: the answer (16 MiB) cannot fit in the sockets' buffers, so
	// the handler finishes only when the write timeout cuts it off.
	waitFor(t, time.Minute, "the request to be taken", func() bool { return len(h.requests) == 1 })
	waitFor(t, time.Minute, "the write timeout to end the answer nobody reads", func() bool { return len(h.requests) == 0 })
}
