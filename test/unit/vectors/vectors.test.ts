/**
 * Compares this project's pure functions with test vectors produced by running kubernaut v1.1.0-rc3's own Go code
 * (test/vectors/README.md says how). A vector either matches the original, or carries a `deliberateDifference` naming
 * the documented reason and our value; manifest deviations that have no documented reason yet are skipped as TODOs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalJson,
  compareManifest,
  differsOnlyInIntegerExactness,
  extraVarsActual,
  hasIntegerLikeKey,
  loadVectorFile,
  type ManifestEngine,
  resourceNameActual,
  statusActual,
  VECTOR_FILES,
  type Vector,
  type VectorFileName,
  withoutGoHtmlEscapes,
} from './adapters.ts';

const TAG = 'v1.1.0-rc3';
const files = Object.fromEntries(VECTOR_FILES.map((name) => [name, loadVectorFile(name)])) as Record<
  VectorFileName,
  ReturnType<typeof loadVectorFile>
>;
const total = VECTOR_FILES.reduce((sum, name) => sum + files[name].vectors.length, 0);

/**
 * Manifest fields where ours differs from the original without a documented reason (docs/upstream-behaviour.md,
 * reference §9.2): reported, not fixed here (src/domain/manifests.ts is owned elsewhere). A vector whose only
 * undocumented differences are these is skipped; any other undocumented difference fails.
 */
const TODO_MANIFEST_DEVIATIONS: Record<string, string> = {
  'metadata.annotations["kubernaut.ai/created-by-run"]':
    'annotation kubernaut.ai/created-by-run (the original sets only kubernaut.ai/target-resource; not in docs/upstream-behaviour.md)',
  'metadata.labels["kubernaut.ai/execution-engine"]':
    'PipelineRun label kubernaut.ai/execution-engine=tekton (the original puts it on Jobs only, reference §5.1; not documented as a change)',
  'spec.ttlSecondsAfterFinished': 'Job spec.ttlSecondsAfterFinished differs from the original 600 (not in docs/upstream-behaviour.md)',
};

/** Vectors a JavaScript runtime cannot reproduce, with the reason. */
const PLATFORM_LIMITS: Record<string, string> = {
  'xv-368-json-depth':
    'TODO platform limit: encoding/json decodes and encodes 10000 nested arrays; V8 overflows its stack (JSON.parse reviver and ' +
    'JSON.stringify) beyond ~2300 levels, so ours keeps such a value as a string (2000 levels: xv-367 matches)',
};

function assertDeliberate(vector: Vector, actual: unknown): void {
  const mark = vector.deliberateDifference as NonNullable<Vector['deliberateDifference']>;
  assert.ok(mark.reason.trim().length > 0, 'a deliberate difference names its reason');
  assert.deepEqual(actual, mark.ours, `ours changed since the vector was marked (${mark.reason})`);
}

describe(`compares ${total} vectors produced by kubernaut ${TAG}`, () => {
  test(`the vector files come from ${TAG} and hold at least 300 vectors with unique ids`, () => {
    const ids = new Set<string>();
    for (const name of VECTOR_FILES) {
      const file = files[name];
      assert.match(file.source, new RegExp(`tag ${TAG.replaceAll('.', '\\.')} \\(commit [0-9a-f]{40}\\)`), name);
      assert.match(file.goVersion, /^go\d/, name);
      assert.ok(file.vectors.length > 0, name);
      for (const vector of file.vectors) {
        assert.ok(!ids.has(vector.id), `duplicate id ${vector.id}`);
        ids.add(vector.id);
      }
    }
    assert.ok(total >= 300, `${total} vectors`);
  });

  const extraVars = files['build-extra-vars.json'].vectors;
  describe(`BuildExtraVars: buildExtraVars, ${extraVars.length} vectors (build-extra-vars.json)`, () => {
    for (const vector of extraVars) {
      const skip = PLATFORM_LIMITS[vector.id];
      test(vector.id, skip ? { skip } : {}, () => {
        const ours = extraVarsActual(vector);
        const go = vector.expected.json as string | undefined;
        if (vector.deliberateDifference) {
          assertDeliberate(vector, ours);
          if (go === undefined) assert.match(vector.expected.marshalError as string, /unsupported value: (NaN|[+-]Inf)/);
          else assert.ok(differsOnlyInIntegerExactness(ours, go), 'the marked difference is integer exactness only (§9.2 item 12)');
          return;
        }
        assert.ok(go !== undefined, `the original failed to marshal (${vector.expected.marshalError}); ours sent ${ours}`);
        const goText = withoutGoHtmlEscapes(go);
        // A JavaScript object lists integer-like keys first; member order means nothing to a JSON reader.
        if (hasIntegerLikeKey(goText)) assert.equal(canonicalJson(ours), canonicalJson(goText));
        else assert.equal(ours, goText);
      });
    }
  });

  const names = files['execution-resource-name.json'].vectors;
  describe(`ExecutionResourceName: executionResourceName, ${names.length} vectors (execution-resource-name.json)`, () => {
    for (const vector of names) {
      test(vector.id, () => assert.equal(resourceNameActual(vector), vector.expected.name));
    }
  });

  const manifestFiles: [ManifestEngine, VectorFileName, string][] = [
    ['job', 'job-manifests.json', 'JobExecutor.Create: buildJob'],
    ['tekton', 'pipelinerun-manifests.json', 'TektonExecutor.Create: buildPipelineRun'],
  ];
  for (const [engine, name, title] of manifestFiles) {
    const vectors = files[name].vectors;
    describe(`${title}, ${vectors.length} vectors (${name})`, () => {
      for (const vector of vectors) {
        const comparison = compareManifest(engine, vector);
        const todo = comparison.undocumented.map((path) => TODO_MANIFEST_DEVIATIONS[path]);
        const skip = todo.length > 0 && todo.every(Boolean) ? `TODO manifest deviation: ${todo.join('; ')}` : undefined;
        test(vector.id, skip ? { skip } : {}, () => {
          assert.deepEqual(comparison.undocumented, [], 'differences from the original with no documented reason');
          if (comparison.applied.length === 0) {
            assert.equal(vector.deliberateDifference, undefined);
            assert.deepEqual(comparison.ours, comparison.go);
          } else {
            assert.ok(vector.deliberateDifference, `documented differences (${comparison.applied.join(', ')}) need a mark`);
            assertDeliberate(vector, comparison.ours);
          }
        });
      }
    });
  }

  const statuses = files['status-mapping.json'].vectors;
  describe(`status mapping: mapAwxStatus, mapJobStatus, mapPipelineRunStatus, ${statuses.length} vectors (status-mapping.json)`, () => {
    for (const vector of statuses) {
      test(vector.id, () => {
        const ours = statusActual(vector);
        if (vector.deliberateDifference) assertDeliberate(vector, ours);
        else assert.deepEqual(ours, vector.expected);
      });
    }
  });
});
