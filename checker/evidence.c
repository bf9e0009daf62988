/* evidence.c — filling the evidence's short lists. */
#include <stdio.h>

#include "evidence.h"

void pid_list_add(struct pid_list *l, pid_t pid, const char *comm)
{
    if (l->count < EV_MAX_PIDS) {
        l->pid[l->count] = pid;
        snprintf(l->comm[l->count], sizeof l->comm[0], "%.31s", comm);
    }
    l->count++;
}
