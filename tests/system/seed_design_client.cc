#include "seed_design_client.h"

#include <future>
#include <memory>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace skinlens::load {
namespace {

// One attribute server's answer: empty when it is a grade.
std::string PostOne(httplib::Client& client, const std::string& photo) {
  const httplib::MultipartFormDataItems items = {{"file", photo, "photo.jpg", "image/jpeg"}};
  httplib::Result r = client.Post("/predict", items);
  // A keep-alive connection the server closed while idle (uvicorn does after
  // 5 s) fails before anything is sent; a browser sends again on a new one.
  if (!r) r = client.Post("/predict", items);
  if (!r) return "CONNECTION";
  if (r->status != 200) return absl::StrCat("HTTP_", r->status);
  const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.contains("grade") || !body["gradcam"].is_array()) {
    return "BAD_RESPONSE";
  }
  return "";
}

}  // namespace

LoadReport RunSeedDesignLoad(const LoadOptions& options, const std::vector<std::string>& urls,
                             const std::function<void(const LoadProgress&)>& progress) {
  // A keep-alive connection per virtual user and server, as a browser keeps.
  std::vector<std::vector<std::unique_ptr<httplib::Client>>> clients(options.users);
  const auto timeout = absl::ToChronoSeconds(options.deadline);
  for (auto& per_user : clients) {
    for (const std::string& url : urls) {
      auto client = std::make_unique<httplib::Client>(url);
      client->set_keep_alive(true);
      client->set_read_timeout(timeout);
      client->set_write_timeout(timeout);
      per_user.push_back(std::move(client));
    }
  }
  return RunPhotos(
      options,
      [&](int user) {
        std::vector<std::future<std::string>> answers;
        for (auto& client : clients[user]) {
          answers.push_back(
              std::async(std::launch::async, [&] { return PostOne(*client, options.photo); }));
        }
        PhotoOutcome outcome;
        for (auto& answer : answers) {
          std::string error = answer.get();
          if (outcome.error.empty() && !error.empty()) outcome.error = std::move(error);
        }
        outcome.busy = outcome.error == "HTTP_429" || outcome.error == "HTTP_503";
        // The seed saved scores from its front end; that is not part of this comparison.
        return outcome;
      },
      progress);
}

}  // namespace skinlens::load
