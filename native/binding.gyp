{
  "targets": [
    {
      "target_name": "x_native",
      "sources": [
        "src/binding.cc",
        "src/args.cc",
        "src/errors.cc",
        "src/boundary.cc",
        "src/fd.cc",
        "src/mmap.cc",
        "src/pty.cc",
        "src/child.cc",
        "src/children.cc",
        "src/spawn.cc",
        "src/vspawn.cc",
        "src/daemonize.cc",
        "src/pidwatch.cc",
        "src/poll.cc",
        "src/signals.cc",
        "src/actions.cc",
        "src/interrupt.cc",
        "src/clock.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      # Every entry converts what it throws itself (src/boundary.hh); _ALL makes node-addon-api
      # catch anything that still got past, rather than let it reach std::terminate.
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wunused-parameter"],
      "conditions": [
        ["OS!='linux'", { "defines": ["X_NATIVE_UNSUPPORTED_OS"] }]
      ]
    }
  ]
}
