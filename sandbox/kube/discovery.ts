/** The discovery documents clients read before they talk to a resource: /version, /api, /apis and each group version. */
import { apiVersionOf, RESOURCES } from './resources.ts';

/** The discovery document at a path, or undefined when the path is not a discovery path. */
export function discoveryDocument(pathname: string, serverAddress: string): unknown {
  const path = pathname.replace(/\/$/, '');
  if (path === '/version') return { major: '1', minor: '31', gitVersion: 'v1.31.0-kubernaut-sandbox', platform: 'linux/amd64' };
  if (path === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  const groups = [...new Set(RESOURCES.filter((resource) => resource.group).map((resource) => resource.group))];
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((group) => {
        const version = { groupVersion: `${group}/v1`, version: 'v1' };
        return { name: group, versions: [version], preferredVersion: version };
      }),
    };
  }
  const groupVersion = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
  if (!groupVersion) return undefined;
  const resources = RESOURCES.filter((resource) => apiVersionOf(resource) === groupVersion);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.flatMap((resource) => [
      {
        name: resource.plural,
        singularName: resource.singular,
        namespaced: resource.namespaced,
        kind: resource.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
        ...(resource.shortNames ? { shortNames: resource.shortNames } : {}),
      },
      ...(resource.statusSubresource
        ? [
            {
              name: `${resource.plural}/status`,
              singularName: '',
              namespaced: resource.namespaced,
              kind: resource.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ]),
  };
}
