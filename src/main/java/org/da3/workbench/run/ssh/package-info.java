/**
 * The {@code ssh} run target: workers on a remote Linux machine or Jetson, reached with the Apache
 * MINA SSHD client. The host key is checked against a known_hosts file (unknown or changed keys
 * are refused), the worker jar and weights are uploaded once by content hash, the worker runs
 * under a small generated shell wrapper that records its process group and kills it on Stop or
 * when the connection drops, and every name and path put on a remote command line is quoted.
 */
package org.da3.workbench.run.ssh;
