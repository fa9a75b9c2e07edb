package ecrhttp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// authorization is what a SigV4 Authorization header says:
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecr/aws4_request,
// SignedHeaders=content-type;host;x-amz-date, Signature=...".
type authorization struct {
	algorithm                          string
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
}

// parseAuthorization reads a SigV4 Authorization header; what it cannot read is left empty.
func parseAuthorization(header string) authorization {
	var a authorization
	alg, params, ok := strings.Cut(header, " ")
	if !ok {
		return a
	}
	a.algorithm = alg
	for p := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "Credential":
			parts := strings.Split(value, "/") // key/date/region/service/aws4_request
			if len(parts) == 5 && parts[4] == "aws4_request" {
				a.accessKeyID, a.date, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
			}
		case "SignedHeaders":
			a.signedHeaders = strings.Split(value, ";")
		case "Signature":
			a.signature = value
		}
	}
	return a
}

// authError is the 403 answer to a request whose credentials or signature do not hold.
func authError(code, format string, args ...any) error {
	return &protocolError{code: code, status: http.StatusForbidden, msg: fmt.Sprintf(format, args...)}
}

// maxClockSkew is how far a request's X-Amz-Date may be from the server's real time, as AWS
// allows.
const maxClockSkew = 15 * time.Minute

// verifySignature recomputes the request's SigV4 signature with the AWS SDK's signer and the
// secret of its access key, over the headers it says it signed and the body read.
func (h *handler) verifySignature(r *http.Request, body []byte) error {
	a := parseAuthorization(r.Header.Get("Authorization"))
	if a.algorithm == "" || a.accessKeyID == "" || a.signature == "" {
		return authError("MissingAuthenticationTokenException", "Missing Authentication Token: the request has no AWS Signature Version 4 Authorization header")
	}
	secret, ok := h.secrets[a.accessKeyID]
	if !ok {
		return authError("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	if a.algorithm != "AWS4-HMAC-SHA256" {
		return authError("InvalidSignatureException", "Unsupported signing algorithm %q: the ECR API takes AWS4-HMAC-SHA256", a.algorithm)
	}
	signedAt, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return authError("InvalidSignatureException", "The request has no valid X-Amz-Date header (want 20060102T150405Z)")
	}
	if d := time.Since(signedAt); d > maxClockSkew || d < -maxClockSkew {
		return authError("InvalidSignatureException", "Signature expired: %s is more than %v from the server's time %s", signedAt.Format("20060102T150405Z"), maxClockSkew, time.Now().UTC().Format("20060102T150405Z"))
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return authError("InvalidSignatureException", "cannot rebuild the request to check its signature: %v", err)
	}
	req.Host = r.Host
	for _, name := range a.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			if v, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
				req.Header[http.CanonicalHeaderKey(name)] = slices.Clone(v)
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.accessKeyID, SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, req, hex.EncodeToString(sum[:]), a.service, a.region, signedAt); err != nil {
		return authError("InvalidSignatureException", "cannot compute the request's signature: %v", err)
	}
	want := parseAuthorization(req.Header.Get("Authorization"))
	if !hmac.Equal([]byte(want.signature), []byte(a.signature)) || strings.Join(want.signedHeaders, ";") != strings.Join(a.signedHeaders, ";") {
		return authError("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}
