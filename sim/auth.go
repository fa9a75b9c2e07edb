package sim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// TokenLifetime is how long a password of GetAuthorizationToken is good for, as in ECR.
const TokenLifetime = 12 * time.Hour

// RegistryUser is the user name of ECR's registry logins.
const RegistryUser = "AWS"

func newTokenKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// GetAuthorizationToken returns a registry login for the caller, good for TokenLifetime:
// the password authenticates the caller (account, region, principal) to the registry
// protocol. ProxyEndpoint is ECR's registry host; an HTTP server replaces it with its own.
func (c *client) GetAuthorizationToken(req *ecrapi.GetAuthorizationTokenRequest) (*ecrapi.GetAuthorizationTokenResponse, error) {
	const op = ecrapi.OpGetAuthorizationToken
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	w := c.w
	if n := len(req.RegistryIDs); n > ecrapi.MaxTokenRegistryIDs {
		return nil, listTooLong(op, "registryIds", n, ecrapi.MaxTokenRegistryIDs)
	}
	ids := req.RegistryIDs
	if len(ids) == 0 {
		ids = []string{c.caller.Account}
	}
	for _, id := range ids {
		if !validRegistryID(id) {
			return nil, invalidParameter("registryIds", registryIDConstraint)
		}
	}
	exp := w.clock.Now().Add(TokenLifetime)
	out := &ecrapi.GetAuthorizationTokenResponse{}
	for _, id := range ids {
		pw := w.password(c.caller, exp)
		out.AuthorizationData = append(out.AuthorizationData, ecrapi.AuthorizationData{
			AuthorizationToken: base64.StdEncoding.EncodeToString([]byte(RegistryUser + ":" + pw)),
			ExpiresAt:          &ecrapi.Timestamp{Time: exp},
			ProxyEndpoint:      fmt.Sprintf("https://%s.dkr.ecr.%s.amazonaws.com", id, c.caller.Region),
		})
	}
	return out, nil
}

// password is "ecrsign1.PAYLOAD.MAC": the caller and expiry, and their HMAC under the
// world's key (random per world: passwords do not survive a restart).
func (w *World) password(c Caller, exp time.Time) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Join([]string{c.Account, c.Region, c.Principal, strconv.FormatInt(exp.Unix(), 10)}, "\n")))
	return "ecrsign1." + payload + "." + w.mac(payload)
}

func (w *World) mac(payload string) string {
	m := hmac.New(sha256.New, w.tokenKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ErrBadCredentials is the error of Authenticate.
var ErrBadCredentials = errors.New("bad credentials")

// Authenticate returns the caller a registry login authenticates: user RegistryUser and a
// password from GetAuthorizationToken that has not expired.
func (w *World) Authenticate(user, password string) (Caller, error) {
	if user != RegistryUser {
		return Caller{}, fmt.Errorf("%w: the user is %q; ECR's user is %s", ErrBadCredentials, user, RegistryUser)
	}
	rest, ok := strings.CutPrefix(password, "ecrsign1.")
	payload, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || !hmac.Equal([]byte(mac), []byte(w.mac(payload))) {
		return Caller{}, fmt.Errorf("%w: the password is not one GetAuthorizationToken returned", ErrBadCredentials)
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	parts := strings.Split(string(b), "\n")
	if err != nil || len(parts) != 4 {
		return Caller{}, fmt.Errorf("%w: unreadable password", ErrBadCredentials)
	}
	exp, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return Caller{}, fmt.Errorf("%w: unreadable password", ErrBadCredentials)
	}
	if !w.now().Before(time.Unix(exp, 0)) {
		return Caller{}, fmt.Errorf("%w: the password expired at %s; call GetAuthorizationToken again", ErrBadCredentials, time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return Caller{Account: parts[0], Region: parts[1], Principal: parts[2]}, nil
}
