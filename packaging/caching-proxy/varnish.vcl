vcl 4.1;

# Varnish as the caching proxy in front of pypidesk servers (the recommended one).
#
# Pages are kept for as long as the index's Surrogate-Control allows (a day),
# because the index purges them the moment they change: run every
# `pypidesk serve` with `--purge-url http://<this proxy>/`, and after each
# upload, yank, delete or role change it sends one PURGE request carrying the
# changed pages' surrogate keys (`project/<name>`, `all-projects`), which the
# xkey module (Debian: varnish-modules) matches against the Surrogate-Key
# header each page was cached with. Files under /packages/ never change.
# While the backend is down, cached pages and files keep being served.
#
# Placeholders (replace them, e.g. with sed): @BACKEND_HOST@ and @BACKEND_PORT@
# (a pypidesk server; `serve --workers N` processes share one port), @PURGERS@
# (addresses allowed to purge, as VCL ACL entries: "10.0.0.0"/8; the servers'
# addresses; loopback is always allowed).

import std;
import xkey;

backend pypidesk {
    .host = "@BACKEND_HOST@";
    .port = "@BACKEND_PORT@";
    # Uploads of large files stream through; the index answers once stored.
    .first_byte_timeout = 600s;
    .between_bytes_timeout = 600s;
}

acl purgers {
    "127.0.0.1";
    "::1";
    @PURGERS@
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.Surrogate-Key) {
            return (synth(400, "PURGE needs a Surrogate-Key header"));
        }
        set req.http.X-Purged = xkey.purge(req.http.Surrogate-Key);
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    # Uploads, the management API and health are always live.
    if (req.url ~ "^/(legacy|api/|_health)") {
        return (pass);
    }
    # A private index (reads need credentials): never share one user's answer.
    if (req.http.Authorization) {
        return (pass);
    }
    # The index sets no cookies; a browser's must not split the cache.
    unset req.http.Cookie;
    # Varnish keeps pages gzipped and would unpack a large page for every client
    # that does not take gzip, at a tenth of the speed: such clients get a copy
    # of their own, fetched plain (both copies carry the same keys).
    if (req.http.Accept-Encoding !~ "gzip") {
        set req.http.X-Pypidesk-Plain = "1";
    } else {
        unset req.http.X-Pypidesk-Plain;
    }
    # Anything else falls through to Varnish's built-in rules (GET and HEAD cached).
}

sub vcl_hash {
    if (req.http.X-Pypidesk-Plain) {
        hash_data("plain");
    }
    # Then the built-in hash: URL and Host.
}

sub vcl_backend_fetch {
    if (bereq.http.X-Pypidesk-Plain) {
        unset bereq.http.Accept-Encoding;
    }
    unset bereq.http.X-Pypidesk-Plain;
}

sub vcl_pass {
    set req.http.X-Pypidesk-Pass = "1";
}

sub vcl_backend_response {
    # xkey indexes the keys of the header named xkey.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Surrogate-Control is for caches like this one (PyPI's CDN reads it too);
    # Cache-Control's shorter max-age stays for clients.
    if (beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1s"), beresp.ttl);
    }
    # Kept for a week past expiry: served while a fresh copy is fetched, and as
    # long as the backend is down (stale-if-error).
    set beresp.grace = 7d;
    unset beresp.http.Surrogate-Control;
}

sub vcl_backend_error {
    # A failed background refresh keeps the stale page instead of caching the error.
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (req.http.X-Pypidesk-Pass) {
        unset resp.http.X-Cache-Status;
    } elif (obj.hits > 0) {
        set resp.http.X-Cache-Status = "HIT";
    } else {
        set resp.http.X-Cache-Status = "MISS";
    }
}
