package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"golang.org/x/oauth2"
)

// The OAuth2-only providers: fixed endpoints (auth_url and token_url
// override them, for GitHub Enterprise and the like) and a user API whose
// answer becomes standard claims, as the reference maps them.
var (
	githubEndpoint   = oauth2.Endpoint{AuthURL: "https://github.com/login/oauth/authorize", TokenURL: "https://github.com/login/oauth/access_token"}
	discordEndpoint  = oauth2.Endpoint{AuthURL: "https://discord.com/api/oauth2/authorize", TokenURL: "https://discord.com/api/oauth2/token"}
	slackEndpoint    = oauth2.Endpoint{AuthURL: "https://slack.com/oauth/authorize", TokenURL: "https://slack.com/api/oauth.access"}
	facebookEndpoint = oauth2.Endpoint{AuthURL: "https://www.facebook.com/v19.0/dialog/oauth", TokenURL: "https://graph.facebook.com/v19.0/oauth/access_token"}
)

// maxAPIBytes bounds a user API answer.
const maxAPIBytes = 1 << 20

// getJSON reads one user API resource with the access token.
func getJSON(ctx context.Context, p *Provider, tok *oauth2.Token, rawURL string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		// The URL may carry a proof of the token; name the host only.
		return fmt.Errorf("%w: %s user API: %v", ErrUnreachable, p.cfg.Provider, unwrapURLError(err))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s user API answered %s", ErrUnreachable, p.cfg.Provider, res.Status)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxAPIBytes)).Decode(into); err != nil {
		return fmt.Errorf("%w: %s user API answer is not JSON: %v", ErrUnreachable, p.cfg.Provider, err)
	}
	return nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// githubUser reads /user and, with the user:email scope, the primary
// verified address from /user/emails (the profile's public email may be
// missing or one the user never verified).
func githubUser(ctx context.Context, p *Provider, tok *oauth2.Token) (map[string]any, error) {
	var u struct {
		ID        int64  `json:"id"`
		Login     string `json:"login"`
		Name      string `json:"name"`
		AvatarURL string `json:"avatar_url"`
		HTMLURL   string `json:"html_url"`
		Blog      string `json:"blog"`
	}
	if err := getJSON(ctx, p, tok, "https://api.github.com/user", &u); err != nil {
		return nil, err
	}
	claims := map[string]any{
		"iss": "https://github.com/login/oauth/access_token", "sub": strconv.FormatInt(u.ID, 10),
		"name": u.Name, "nickname": u.Name, "preferred_username": u.Login,
		"picture": u.AvatarURL, "profile": u.HTMLURL, "website": u.Blog,
	}
	if u.ID == 0 {
		claims["sub"] = ""
	}
	if hasScope(p.cfg.Scope, "user:email", "user") {
		var emails []struct {
			Email    string `json:"email"`
			Primary  bool   `json:"primary"`
			Verified bool   `json:"verified"`
		}
		if err := getJSON(ctx, p, tok, "https://api.github.com/user/emails", &emails); err != nil {
			return nil, err
		}
		for _, e := range emails {
			if e.Primary && e.Verified {
				claims["email"], claims["email_verified"] = e.Email, true
			}
		}
	}
	return claims, nil
}

func hasScope(scopes []string, want ...string) bool {
	for _, s := range scopes {
		for _, w := range want {
			if s == w {
				return true
			}
		}
	}
	return false
}

// discordUser reads /users/@me.
func discordUser(ctx context.Context, p *Provider, tok *oauth2.Token) (map[string]any, error) {
	var u struct {
		ID            string `json:"id"`
		Username      string `json:"username"`
		Discriminator string `json:"discriminator"`
		GlobalName    string `json:"global_name"`
		Avatar        string `json:"avatar"`
		Email         string `json:"email"`
		Verified      bool   `json:"verified"`
		Locale        string `json:"locale"`
	}
	if err := getJSON(ctx, p, tok, "https://discord.com/api/users/@me", &u); err != nil {
		return nil, err
	}
	name := u.GlobalName
	if name == "" {
		name = u.Username
	}
	claims := map[string]any{
		"iss": "https://discord.com/api/v6/oauth2/", "sub": u.ID, "name": name,
		"nickname": u.Username, "preferred_username": u.Username, "email": u.Email, "email_verified": u.Verified, "locale": u.Locale,
	}
	if u.Avatar != "" {
		claims["picture"] = "https://cdn.discordapp.com/avatars/" + url.PathEscape(u.ID) + "/" + url.PathEscape(u.Avatar) + ".png"
	}
	return claims, nil
}

// slackUser reads users.identity (scopes identity.basic, identity.email,
// identity.avatar). Slack answers errors with 200 and ok: false.
func slackUser(ctx context.Context, p *Provider, tok *oauth2.Token) (map[string]any, error) {
	var id struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		User  struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Email    string `json:"email"`
			Image512 string `json:"image_512"`
		} `json:"user"`
		Team struct {
			ID string `json:"id"`
		} `json:"team"`
	}
	if err := getJSON(ctx, p, tok, "https://slack.com/api/users.identity", &id); err != nil {
		return nil, err
	}
	if !id.OK {
		return nil, fmt.Errorf("%w: slack users.identity: %s", ErrUnreachable, id.Error)
	}
	return map[string]any{
		"iss": "https://slack.com/oauth/", "sub": id.User.ID, "name": id.User.Name, "nickname": id.User.Name,
		"preferred_username": id.User.Name, "email": id.User.Email, "picture": id.User.Image512,
	}, nil
}

// facebookUser reads the Graph API's /me with an appsecret_proof, which
// Facebook requires of apps that turned it on and accepts from all.
func facebookUser(ctx context.Context, p *Provider, tok *oauth2.Token) (map[string]any, error) {
	mac := hmac.New(sha256.New, []byte(p.cfg.ClientSecret))
	mac.Write([]byte(tok.AccessToken))
	q := url.Values{
		"fields":          {"id,name,first_name,last_name,middle_name,email,picture,birthday,gender"},
		"appsecret_proof": {hex.EncodeToString(mac.Sum(nil))},
	}
	var u struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		FirstName  string `json:"first_name"`
		LastName   string `json:"last_name"`
		MiddleName string `json:"middle_name"`
		Email      string `json:"email"`
		Birthday   string `json:"birthday"`
		Gender     string `json:"gender"`
		Picture    struct {
			Data struct {
				URL string `json:"url"`
			} `json:"data"`
		} `json:"picture"`
	}
	if err := getJSON(ctx, p, tok, "https://graph.facebook.com/me?"+q.Encode(), &u); err != nil {
		return nil, err
	}
	return map[string]any{
		"iss": "https://graph.facebook.com/me", "sub": u.ID, "name": u.Name, "given_name": u.FirstName,
		"family_name": u.LastName, "middle_name": u.MiddleName, "nickname": u.Name, "preferred_username": u.FirstName,
		"email": u.Email, "picture": u.Picture.Data.URL, "birthdate": u.Birthday, "gender": u.Gender,
	}, nil
}
