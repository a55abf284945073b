{
  "targets": [
    {
      "target_name": "x_native",
      "sources": [
        "src/binding.cc",
        "src/args.cc",
        "src/errors.cc",
        "src/signals.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        ["OS!='linux'", { "defines": ["X_NATIVE_UNSUPPORTED_OS"] }]
      ]
    }
  ]
}
