#include "daemon/api.hpp"

namespace motcua::daemon {

net::Router make_api_router(ApiContext& ctx) {
  net::Router router;
  add_json_routes(router, ctx);
  add_page_routes(router, ctx);
  add_indicator_routes(router, ctx);
  return router;
}

}  // namespace motcua::daemon
