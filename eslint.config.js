import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/bench-results/**', '**/validation-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  {
    // commit-core is pure: no platform, no Kafka client, no ambient time.
    files: ['packages/commit-core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'commit-core has no platform access; inject it through a port.' },
          { group: ['fs', 'net', 'os', 'path', 'events', 'timers', 'crypto', 'child_process'], message: 'commit-core has no platform access.' },
          { group: ['kafkajs', '@confluentinc/*', 'node-rdkafka'], message: 'commit-core never imports a Kafka client; adapters do.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use the injected Clock.' },
        { name: 'setInterval', message: 'Use the injected Clock.' },
        { name: 'process', message: 'commit-core has no platform access.' },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected Clock.' }],
    },
  },
)
