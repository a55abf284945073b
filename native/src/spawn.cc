#include "spawn.hh"

#include "children.hh"

namespace xnative {

pid_t Spawn(const ChildOptions& options) {
  PreparedChild prepared(options);
  Forked child = ForkAndCollect([&](int reportFd) { prepared.Exec(reportFd); });
  if (!child.reports.empty()) {
    ReapForked(child.pid);
    ThrowReport(child.reports.front(), options);
  }
  RegisterChild(child.pid);
  return child.pid;
}

}  // namespace xnative
