#pragma once
// The HTTP status API (DESIGN.md "HTTP API"): the routing table and what each endpoint answers.
// Handlers are plain functions of the request, tested by calling the Router without a socket.
// They run on the API's one thread, with the API's own store connection; the findings and the
// sources' state come from ServiceState snapshots, so an answer never waits for a sync.
#include <string>
#include <string_view>

#include "daemon/service_state.hpp"
#include "net/router.hpp"
#include "net/server_message.hpp"
#include "store/database.hpp"

namespace motcua::daemon {

// What the handlers need. The caller keeps it alive for as long as the router is used.
struct ApiContext {
  ServiceState& state;
  store::Database& db;  // used only from the API thread
};

// The whole API: the three groups below, registered in one table.
net::Router make_api_router(ApiContext& ctx);

// /healthz, /readyz, /api/v1/status, /api/v1/findings (filters, format=csv),
// /api/v1/dossiers/{code}, /api/v1/alerts, /api/v1/silences (GET, POST, DELETE /{id}).
void add_json_routes(net::Router& router, ApiContext& ctx);
// GET / (the Vietnamese status page for officials) and GET /metrics.
void add_page_routes(net::Router& router, ApiContext& ctx);
// GET /api/v1/indicators.
void add_indicator_routes(net::Router& router, ApiContext& ctx);

// A write (POST, DELETE) carries `Authorization: Bearer <token>` matching the runtime's token
// (compared in constant time). Otherwise the answer to send: 401 without or with a wrong token,
// 403 when no api_token_file is configured (writes are off).
std::optional<net::ServerResponse> refuse_write(const ApiContext& ctx,
                                                const net::ServerRequest& request);

}  // namespace motcua::daemon
