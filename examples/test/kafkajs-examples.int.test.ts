import { defineExampleTests } from './define-example-tests.js'

defineExampleTests('kafkajs')
