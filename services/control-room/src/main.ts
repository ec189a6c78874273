import { CONTROL_ROOM } from '@streamplane/contracts';
import { runProcess } from '@streamplane/platform';
import { startControlRoom } from './control-room';

runProcess(CONTROL_ROOM.name, () => startControlRoom());
