package ecrhttp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// TestEveryModelOperation: each of the ECR API model's operations (botocore's service model in
// sim/testdata) is either served or answers UnknownOperationException naming it, never a
// generic error; every operation served is one of the model's, and the handler serves
// exactly the operations package sim implements.
func TestEveryModelOperation(t *testing.T) {
	data, err := os.ReadFile("../testdata/ecr-service-2.json")
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Operations map[string]json.RawMessage `json:"operations"`
	}
	if err := json.Unmarshal(data, &model); err != nil {
		t.Fatal(err)
	}
	served := ecrapi.Operations()
	for _, op := range served {
		if _, ok := model.Operations[op]; !ok {
			t.Errorf("%s is served but is no operation of the model", op)
		}
	}
	srv := httptest.NewServer(ecrhttp.NewHandler(sim.New()))
	defer srv.Close()
	unknown := 0
	for op := range model.Operations {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ecrhttp.ContentType)
		req.Header.Set("X-Amz-Target", ecrhttp.TargetPrefix+op)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answeredUnknown := resp.Header.Get("X-Amzn-ErrorType") == "UnknownOperationException"
		if slices.Contains(served, op) { // the handler serves exactly the operations of ecrapi
			if answeredUnknown {
				t.Errorf("%s is an operation of ecrapi but the handler does not serve it: %s", op, body)
			}
			continue
		}
		unknown++
		if resp.StatusCode != http.StatusBadRequest || !answeredUnknown || !strings.Contains(string(body), op) {
			t.Errorf("%s: HTTP %d %s %s; want 400 UnknownOperationException naming it", op, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
		}
	}
	if len(served)+unknown != len(model.Operations) || len(model.Operations) != 58 {
		t.Errorf("%d served + %d unknown; the model has %d operations (58 expected)", len(served), unknown, len(model.Operations))
	}
}
