// offsetkit-bench: the benchmark CLI. The matrix lands with the bench issue; until then the command says so.
console.error('offsetkit-bench: not built yet (see the benchmark issue).')
process.exitCode = 1
