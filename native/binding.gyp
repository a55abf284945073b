{
  "targets": [
    {
      "target_name": "x_native",
      "sources": [
        "src/binding.cc",
        "src/args.cc",
        "src/errors.cc",
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
        "src/interrupt.cc",
        "src/clock.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wunused-parameter"],
      "conditions": [
        ["OS!='linux'", { "defines": ["X_NATIVE_UNSUPPORTED_OS"] }]
      ]
    }
  ]
}
