// A minimal CRI client (what kubelet does, one call per invocation) for tests/integration/cri.bats:
//   node cri-client.js SOCKET run-pod NAME                -> prints the sandbox id
//   node cri-client.js SOCKET create POD POD_NAME NAME IMAGE ARG... -> prints the container id
//   node cri-client.js SOCKET start|stop|remove|status ID
//   node cri-client.js SOCKET stop-pod|remove-pod ID
// Pods share one PID namespace among their containers (NamespaceMode POD) and use the host's network
// (no CNI needed). Every call has a deadline (CRI_DEADLINE seconds, default 60): a hang is a failure.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [sock, verb, ...args] = process.argv.slice(2);
const def = loader.loadSync(path.join(__dirname, 'api.proto'), { keepCase: true, enums: String, longs: Number });
const api = grpc.loadPackageDefinition(def).runtime.v1;
const client = new api.RuntimeService('unix://' + sock, grpc.credentials.createInsecure());
const deadline = () => new Date(Date.now() + 1000 * Number(process.env.CRI_DEADLINE || 60));

function call(method, req) {
  return new Promise((resolve, reject) =>
    client[method](req, { deadline: deadline() }, (err, res) => (err ? reject(err) : resolve(res))));
}

function podConfig(name) {
  return {
    // no hostname: the pod uses the host's network, hence its UTS namespace (kubelet does the same)
    metadata: { name, uid: name + '-uid', namespace: 'husk-test', attempt: 0 },
    log_directory: process.env.CRI_LOG_DIR || '',
    linux: { security_context: { namespace_options: { network: 'NODE', pid: 'POD', ipc: 'POD' } } },
  };
}

async function main() {
  switch (verb) {
    case 'version':
      console.log(JSON.stringify(await call('Version', { version: 'v1' })));
      break;
    case 'run-pod':
      console.log((await call('RunPodSandbox', { config: podConfig(args[0]) })).pod_sandbox_id);
      break;
    case 'create': {
      const [pod, podName, name, image, ...cmd] = args;
      const res = await call('CreateContainer', {
        pod_sandbox_id: pod,
        config: {
          metadata: { name, attempt: 0 },
          image: { image },
          command: cmd,
          log_path: name + '.log',
          linux: { security_context: { namespace_options: { network: 'NODE', pid: 'POD', ipc: 'POD' } } },
        },
        sandbox_config: podConfig(podName),
      });
      console.log(res.container_id);
      break;
    }
    case 'start':
      await call('StartContainer', { container_id: args[0] });
      break;
    case 'stop':
      await call('StopContainer', { container_id: args[0], timeout: Number(args[1] || 0) });
      break;
    case 'remove':
      await call('RemoveContainer', { container_id: args[0] });
      break;
    case 'status':
      console.log((await call('ContainerStatus', { container_id: args[0] })).status.state);
      break;
    case 'stop-pod':
      await call('StopPodSandbox', { pod_sandbox_id: args[0] });
      break;
    case 'remove-pod':
      await call('RemovePodSandbox', { pod_sandbox_id: args[0] });
      break;
    default:
      throw new Error('unknown verb ' + verb);
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(`cri-client ${verb}: ${err.message}`);
  process.exit(1);
});
