import { EDGE } from '@streamplane/contracts';
import { runProcess } from '@streamplane/platform';
import { startEdge } from './edge';

runProcess(EDGE.name, () => startEdge());
